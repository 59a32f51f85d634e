from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from careprog.roles import sync_roles

    sync_roles(Group, Permission)


def _default_paper_template(sender, **kwargs):
    """Put the council's template back after a flush, as roles are (tests flush)."""
    from actions.models import PaperTemplate, TemplateSection
    from actions.papers.defaults import create_default_template

    create_default_template(PaperTemplate, TemplateSection)


def _default_risk_bands(sender, **kwargs):
    """Put the risk policy's bands back after a flush, as the template is."""
    from actions.models import RiskBand
    from actions.risks.defaults import create_default_bands

    create_default_bands(RiskBand)


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Programmes and actions"

    def ready(self):
        from actions.evidence import PROGRAMME_EVIDENCE
        from kpis import evidence

        # The catalogue knows no programme: tell it how programmes use its measures.
        evidence.register(PROGRAMME_EVIDENCE)
        # Which measures a programme's objectives choose decides what its pages read: a
        # change forgets the cached readings, as a figure's change does.
        from actions.models import Objective
        from kpis.reading_cache import connect_signals

        connect_signals(Objective, m2m=[Objective.kpis.through])
        # After every app's permissions exist (auth's own post_migrate handler runs first).
        post_migrate.connect(_sync_roles, dispatch_uid="careprog_sync_roles")
        post_migrate.connect(
            _default_paper_template, sender=self, dispatch_uid="careprog_paper_template"
        )
        post_migrate.connect(_default_risk_bands, sender=self, dispatch_uid="careprog_risk_bands")
