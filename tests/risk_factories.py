"""Risks for tests: a risk on a programme's register, reviewed or not."""

import datetime as dt

from actions.models import Risk, RiskReview

_count = {"n": 0}


def make_risk(programme, *, owner=None, reference=None, residual=(3, 4), inherent=(4, 5), **extra):
    _count["n"] += 1
    fields = {
        "title": f"Risk number {_count['n']}",
        "cause": "Because of a cause",
        "consequence": "With a consequence",
        "target_score": 4,
        "review_date": dt.date.today() + dt.timedelta(days=30),
        "status": Risk.Status.OPEN,
    } | extra
    return Risk.objects.create(
        programme=programme,
        reference=reference or f"R{Risk.objects.filter(programme=programme).count() + 1}",
        owner=owner,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=residual[0],
        residual_impact=residual[1],
        **fields,
    )


def review(risk, *, by, residual, when=None, status=None, note="Reviewed", next_review=None):
    """A review as services.review_risk records it, at ``when`` (default now)."""
    made = RiskReview.objects.create(
        risk=risk,
        by=by,
        residual_likelihood=residual[0],
        residual_impact=residual[1],
        previous_score=risk.residual_score,
        status=status or risk.status,
        note=note,
        next_review_date=next_review or dt.date.today() + dt.timedelta(days=90),
        **({"reviewed_at": when} if when else {}),
    )
    risk.residual_likelihood, risk.residual_impact = residual
    risk.status, risk.review_date = made.status, made.next_review_date
    risk.save()
    return made
