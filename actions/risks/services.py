"""Writes to the risk register, each keyword-only and atomic: a risk added or changed by an
administrator, a review by its owner, and a whole register imported. Refusals say why and
which field they concern (RiskRefused); a form opened before someone else's save is refused
with StaleRisk (409), carrying what is stored now, as actions/structure.py does."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from actions.models import POSSIBLE_SCORES, Action, Programme, Risk, RiskReview, RiskStatus
from actions.permissions import can_manage, can_review_risk

RESERVED_REFERENCES = {"new", "import", "heat-map"}  # the register's own addresses


class RiskRefused(Exception):
    def __init__(self, message: str, *, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


class StaleRisk(RiskRefused):
    """Someone saved the risk after the form was opened: nothing is written; ``current`` is
    the risk as stored now."""

    def __init__(self, message: str, *, current: Risk):
        super().__init__(message, status=409)
        self.current = current


def _stale_message(risk: Risk) -> str:
    return (
        f"Someone changed risk {risk.reference} after you opened it: its residual score is now "
        f"{risk.residual_score} (likelihood {risk.residual_likelihood} × impact "
        f"{risk.residual_impact}), its status {RiskStatus(risk.status).label.lower()}, next "
        f"review due {risk.review_date:%d/%m/%Y}. Check the details below and save again."
    )


def _locked(programme: Programme, risk_id: int, seen_version: int | None) -> Risk:
    risk = Risk.objects.select_for_update().filter(pk=risk_id, programme=programme).first()
    if risk is None:
        raise RiskRefused("This risk no longer exists.", status=409)
    if seen_version is None or risk.version != seen_version:
        raise StaleRisk(_stale_message(risk), current=risk)
    return risk


def check_target(target_score: int) -> None:
    if target_score not in POSSIBLE_SCORES:
        raise RiskRefused(
            f"A target score of {target_score} cannot be reached: choose a score likelihood × "
            "impact can make (1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20 or 25)",
            field="target_score",
        )


def check_reference(programme: Programme, reference: str, *, risk_id: int | None = None):
    if reference.lower() in RESERVED_REFERENCES:
        raise RiskRefused(f"“{reference}” cannot be a risk's reference", field="reference")
    taken = Risk.objects.filter(programme=programme, reference__iexact=reference)
    if taken.exclude(pk=risk_id).exists():
        raise RiskRefused(
            f"The register already has a risk {reference}: choose another reference",
            field="reference",
        )


@transaction.atomic
def save_risk(
    *,
    user,
    programme: Programme,
    reference: str,
    title: str,
    cause: str,
    consequence: str,
    owner,
    inherent_likelihood: int,
    inherent_impact: int,
    residual_likelihood: int,
    residual_impact: int,
    target_score: int,
    controls: str,
    mitigating_actions: list[Action],
    review_date: dt.date,
    status: str,
    risk_id: int | None = None,
    seen_version: int | None = None,
) -> Risk:
    """A risk added to the register, or changed (``risk_id``, opened at ``seen_version``).
    Only administrators; the mitigating actions must be the programme's own."""
    if not can_manage(user):
        raise RiskRefused("You cannot add or change risks.", status=403)
    risk = (
        Risk(programme=programme) if risk_id is None else _locked(programme, risk_id, seen_version)
    )
    reference = reference.strip()
    check_reference(programme, reference, risk_id=risk_id)
    check_target(target_score)
    own = set(
        Action.objects.filter(
            pk__in=[a.pk for a in mitigating_actions],
            mechanism__requirement__objective__programme=programme,
        ).values_list("pk", flat=True)
    )
    if any(action.pk not in own for action in mitigating_actions):
        raise RiskRefused(
            "A risk is mitigated only by its own programme's actions", field="mitigating_actions"
        )
    risk.reference, risk.title, risk.cause, risk.consequence = reference, title, cause, consequence
    risk.owner, risk.controls, risk.review_date, risk.status = owner, controls, review_date, status
    risk.inherent_likelihood, risk.inherent_impact = inherent_likelihood, inherent_impact
    risk.residual_likelihood, risk.residual_impact = residual_likelihood, residual_impact
    risk.target_score = target_score
    risk.save()
    risk.mitigating_actions.set(mitigating_actions)
    return risk


@transaction.atomic
def review_risk(
    *,
    user,
    risk_id: int,
    programme: Programme,
    residual_likelihood: int,
    residual_impact: int,
    status: str,
    note: str,
    next_review_date: dt.date,
    seen_version: int | None,
) -> RiskReview:
    """A review by the risk's owner (or an administrator): recorded in the history with the
    score it started from, and the risk's residual scores, status and next review date become
    the review's."""
    risk = _locked(programme, risk_id, seen_version)
    if not can_review_risk(user, risk):
        raise RiskRefused("Only the risk's owner or an administrator reviews it.", status=403)
    today = timezone.localdate()
    if next_review_date <= today and status != RiskStatus.CLOSED:
        raise RiskRefused(
            "The next review must be after today, unless the risk is closed",
            field="next_review_date",
        )
    review = RiskReview.objects.create(
        risk=risk,
        by=user,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        previous_score=risk.residual_score,
        status=status,
        note=note,
        next_review_date=next_review_date,
    )
    risk.residual_likelihood, risk.residual_impact = residual_likelihood, residual_impact
    risk.status, risk.review_date = status, next_review_date
    risk.save()
    return review


@transaction.atomic
def import_register(*, user, programme: Programme, rows: list[dict]) -> list[Risk]:
    """Every row of a checked register added, or none: each row is checked again here
    (actions/risks/importing.check_rows), whatever changed since the preview."""
    from actions.risks.importing import check_rows

    if not can_manage(user):
        raise RiskRefused("You cannot import risks.", status=403)
    checked = check_rows(programme, rows)
    problems = [problem for row in checked for problem in row.problems]
    if problems:
        raise RiskRefused(f"The register has changed since the preview: {problems[0]}")
    return [
        save_risk(
            user=user,
            programme=programme,
            mitigating_actions=[],
            **row.values,
        )
        for row in checked
    ]
