from importlib import import_module

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from careprog.roles import sync_roles

    sync_roles(Group, Permission)


def _default_paper_template(sender, apps=None, **kwargs):
    """The committee report template migration 0005 creates, again after a flush (which
    emits post_migrate, as it does for the roles) empties the tables: without it, papers
    start with no sections. Only when there is no template at all, so a council's own
    templates are never added to."""
    if sender.label != "actions":
        return
    apps = apps or global_apps
    if apps.get_model("actions", "PaperTemplate").objects.exists():
        return
    migration = import_module("actions.migrations.0005_committee_report_template")
    migration.create_template(apps, None)


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Programmes and actions"

    def ready(self):
        # After every app's permissions exist (auth's own post_migrate handler runs first).
        post_migrate.connect(_sync_roles, dispatch_uid="careprog_sync_roles")
        post_migrate.connect(_default_paper_template, dispatch_uid="careprog_paper_template")
