"""Reads of the risk register, each with its cost stated; tests/test_risk_register.py pins
the pages' counts at two sizes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from actions.models import (
    Action,
    Direction,
    Programme,
    Risk,
    RiskBand,
    RiskReview,
    RiskStatus,
    band_for,
    direction,
)
from actions.permissions import REVIEW_RISK_PERMISSION

LIKELIHOODS = range(1, 6)
IMPACTS = range(5, 0, -1)  # the heat map's rows, worst first, as registers print it


def bands() -> list[RiskBand]:
    """The policy's bands, lowest first: one query."""
    return list(RiskBand.objects.order_by("position", "lowest"))


def owners_in(programme: Programme) -> QuerySet:
    """Everyone who owns a risk of the programme, whatever their role now, by name: the
    register's owner filter. No query until read."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(owned_risks__programme=programme)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def people_who_may_own(keeping=None) -> QuerySet:
    """Active people who may review a risk (officers, heads of service, administrators): an
    owner who could not review their risk could never keep it current. ``keeping``: a risk's
    owner now, offered even if their role has changed, so a risk's other fields can be saved
    before it is given a new owner. No query until read."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    backend = "django.contrib.auth.backends.ModelBackend"
    reviewers = User.objects.with_perm(REVIEW_RISK_PERMISSION, backend=backend)
    may_own = Q(is_active=True, pk__in=reviewers.values("pk"))
    if keeping is not None:
        may_own |= Q(pk=keeping)
    return User.objects.filter(may_own).order_by("first_name", "last_name", "username")


def programme_actions(programme: Programme, keeping=()) -> QuerySet:
    """The programme's live actions a risk may be mitigated by, in programme order, and those
    in ``keeping`` (already linked) even if retired since, so saving a risk never drops a link
    unasked. No query until read."""
    in_programme = Action.objects.filter(mechanism__requirement__objective__programme=programme)
    return in_programme.filter(
        Q(retired_at__isnull=True) | Q(pk__in=list(keeping))
    ).in_programme_order()


@dataclass
class RegisterRow:
    risk: Risk
    band: RiskBand | None
    inherent_band: RiskBand | None
    target_band: RiskBand | None
    direction: Direction | None
    overdue: bool


def _latest_review(field_name: str):
    latest = RiskReview.objects.filter(risk=OuterRef("pk")).order_by("-reviewed_at", "-pk")
    return Subquery(latest.values(field_name)[:1])


def _with_direction(risks: QuerySet) -> QuerySet:
    """Each risk with its latest review's score and the score it started from."""
    score = RiskReview.objects.filter(risk=OuterRef("pk")).order_by("-reviewed_at", "-pk")
    return risks.annotate(
        last_previous_score=_latest_review("previous_score"),
        last_review_score=Subquery(
            score.annotate(s=F("residual_likelihood") * F("residual_impact")).values("s")[:1]
        ),
    )


def _row(risk: Risk, policy: list[RiskBand], today: dt.date) -> RegisterRow:
    last = getattr(risk, "last_review_score", None)
    return RegisterRow(
        risk=risk,
        band=band_for(risk.residual_score, policy),
        inherent_band=band_for(risk.inherent_score, policy),
        target_band=band_for(risk.target_score, policy),
        direction=None if last is None else direction(risk.last_previous_score, last),
        overdue=risk.review_overdue(today),
    )


def _mitigations() -> Prefetch:
    return Prefetch(
        "mitigating_actions",
        queryset=Action.objects.select_related("lead").in_programme_order(),
    )


def register(
    programme: Programme,
    *,
    owner_id: int | None = None,
    band_id: int | None = None,
    overdue_only: bool = False,
    today: dt.date | None = None,
    policy: list[RiskBand] | None = None,
) -> list[RegisterRow]:
    """The register, filtered, in the order of its references as numbered (R1, R2, … R10):
    three queries whatever its size (the bands, unless ``policy`` gives them; the risks with
    their owners and latest review's scores; their mitigating actions with leads)."""
    today = today or timezone.localdate()
    policy = bands() if policy is None else policy
    risks = Risk.objects.filter(programme=programme).select_related("owner")
    if owner_id is not None:
        risks = risks.filter(owner_id=owner_id)
    if overdue_only:
        risks = risks.filter(review_date__lt=today).exclude(status=RiskStatus.CLOSED)
    risks = _with_direction(risks).prefetch_related(_mitigations())
    rows = [_row(risk, policy, today) for risk in risks]
    if band_id is not None:
        rows = [row for row in rows if row.band is not None and row.band.pk == band_id]
    return sorted(rows, key=lambda row: reference_order(row.risk.reference))


def reference_order(reference: str):
    """R2 before R10: the digits in a reference compared as numbers."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", reference)]


@dataclass
class RiskPage:
    row: RegisterRow
    reviews: list[RiskReview]
    policy: list[RiskBand]

    def review_band(self, review: RiskReview) -> RiskBand | None:
        return band_for(review.score, self.policy)

    @property
    def history(self) -> list[tuple[RiskReview, RiskBand | None]]:
        return [(review, self.review_band(review)) for review in self.reviews]


def find_risk(programme: Programme, ref: str) -> Risk:
    """A programme's risk by its reference (as written, any case) or else its number: one
    query; Http404 when it has none."""
    risks = Risk.objects.filter(programme=programme)
    risk = risks.filter(reference__iexact=ref).first()
    if risk is None and ref.isdigit():
        risk = risks.filter(pk=int(ref)).first()
    if risk is None:
        raise Http404("No such risk in this programme")
    return risk


def risk_page(programme: Programme, ref: str, *, today: dt.date | None = None) -> RiskPage:
    """A risk with its owner, mitigating actions (with their leads) and every review (with
    who made it), newest first: five queries whatever its history (the bands; the risk found
    by its reference, plus one when a number is not a reference; the risk with its owner and
    latest review; its actions; its reviews)."""
    today = today or timezone.localdate()
    policy = bands()
    found = find_risk(programme, ref)
    risk = (
        _with_direction(Risk.objects.filter(pk=found.pk))
        .select_related("owner", "programme")
        .prefetch_related(
            _mitigations(),
            Prefetch(
                "reviews",
                queryset=RiskReview.objects.select_related("by").order_by("-reviewed_at", "-pk"),
            ),
        )
        .get()
    )
    return RiskPage(row=_row(risk, policy, today), reviews=list(risk.reviews.all()), policy=policy)


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    count: int
    band: RiskBand | None

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass
class HeatMap:
    rows: list[tuple[int, list[HeatCell]]]  # (impact, cells by likelihood 1..5), impact 5 first
    policy: list[RiskBand]
    total: int = 0


def heat_map(programme: Programme) -> HeatMap:
    """Counts of the programme's open and escalated risks in each residual likelihood ×
    impact cell (closed risks are no longer a risk): two queries (the bands, the counts)."""
    policy = bands()
    counts = {
        (row["residual_likelihood"], row["residual_impact"]): row["n"]
        for row in Risk.objects.filter(programme=programme)
        .exclude(status=RiskStatus.CLOSED)
        .values("residual_likelihood", "residual_impact")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = [
        (
            impact,
            [
                HeatCell(
                    likelihood,
                    impact,
                    counts.get((likelihood, impact), 0),
                    band_for(likelihood * impact, policy),
                )
                for likelihood in LIKELIHOODS
            ],
        )
        for impact in IMPACTS
    ]
    return HeatMap(rows=rows, policy=policy, total=sum(counts.values()))


def overdue_reviews(programme: Programme, today: dt.date) -> list[Risk]:
    """The programme's risks, not closed, whose review date has passed, the longest overdue
    first, with their owners: one query."""
    return list(
        Risk.objects.filter(programme=programme, review_date__lt=today)
        .exclude(status=RiskStatus.CLOSED)
        .select_related("owner")
        .order_by("review_date", "pk")
    )


def overdue_reviews_by_owner(today: dt.date) -> dict[int, list[Risk]]:
    """Every programme's overdue risk reviews, by owner's pk (active owners only), each with
    its programme for the link: one query."""
    grouped: dict[int, list[Risk]] = {}
    risks = (
        Risk.objects.filter(review_date__lt=today, owner__isnull=False, owner__is_active=True)
        .exclude(status=RiskStatus.CLOSED)
        .select_related("owner", "programme")
        .order_by("programme__name", "review_date", "pk")
    )
    for risk in risks:
        grouped.setdefault(risk.owner_id, []).append(risk)
    return grouped


@dataclass
class RiskAsAt:
    """A risk as the register stood on a date: its fields then, and its latest review on or
    before that date (None if it had not been reviewed by then)."""

    pk: int
    history_id: int  # the version read: its mitigating actions then are kept with it
    reference: str
    title: str
    cause: str
    consequence: str
    owner_id: int | None
    inherent_score: int
    residual_likelihood: int
    residual_impact: int
    target_score: int
    status: str
    review_date: dt.date
    review: RiskReview | None
    band: RiskBand | None
    direction: Direction | None

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_impact

    @property
    def status_label(self) -> str:
        return RiskStatus(self.status).label


def register_as_at(programme: Programme, date: dt.date) -> list[RiskAsAt]:
    """The register as it stood at the end of ``date``: each risk's fields as its history
    recorded them then, with its latest review on or before that date; risks created after
    it, or deleted by then, left out. Three queries whatever the register's size or history
    (the bands, the risks' history up to the date, the reviews up to the date): a paper's
    risks section freezes this."""
    policy = bands()
    cutoff = timezone.make_aware(dt.datetime.combine(date + dt.timedelta(days=1), dt.time.min))
    versions = (
        Risk.history.filter(programme_id=programme.pk, history_date__lt=cutoff)
        .order_by("id", "-history_date", "-history_id")
        .values(
            "id",
            "history_id",
            "history_type",
            "reference",
            "title",
            "cause",
            "consequence",
            "owner_id",
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
            "target_score",
            "status",
            "review_date",
        )
    )
    latest: dict[int, dict] = {}
    for version in versions:
        latest.setdefault(version["id"], version)
    reviews: dict[int, RiskReview] = {}
    for review in (
        RiskReview.objects.filter(risk_id__in=list(latest), reviewed_at__lt=cutoff)
        .select_related("by")
        .order_by("risk_id", "-reviewed_at", "-pk")
    ):
        reviews.setdefault(review.risk_id, review)
    register_then = []
    for pk, version in latest.items():
        if version["history_type"] == "-":
            continue
        review = reviews.get(pk)
        residual = version["residual_likelihood"] * version["residual_impact"]
        register_then.append(
            RiskAsAt(
                pk=pk,
                history_id=version["history_id"],
                reference=version["reference"],
                title=version["title"],
                cause=version["cause"],
                consequence=version["consequence"],
                owner_id=version["owner_id"],
                inherent_score=version["inherent_likelihood"] * version["inherent_impact"],
                residual_likelihood=version["residual_likelihood"],
                residual_impact=version["residual_impact"],
                target_score=version["target_score"],
                status=version["status"],
                review_date=version["review_date"],
                review=review,
                band=band_for(residual, policy),
                direction=None if review is None else review.direction,
            )
        )
    return sorted(register_then, key=lambda risk: reference_order(risk.reference))


def mitigations_as_at(register_then: list[RiskAsAt]) -> dict[int, list[tuple[int, str]]]:
    """Each risk's mitigating actions as the version read by register_as_at linked them, as
    (action id, title) by risk: one query (none for an empty register). An action linked
    after that date is not shown; one unlinked since still is."""
    if not register_then:
        return {}
    linked = Risk.history.model._meta.get_field("historicalrisk_mitigating_actions").related_model
    found: dict[int, list[tuple[int, str]]] = {}
    for link in (
        linked.objects.filter(history_id__in=[risk.history_id for risk in register_then])
        .select_related("action")
        .order_by("action_id")
    ):
        found.setdefault(link.risk_id, []).append((link.action_id, link.action.title))
    return found


def owner_names(register_then: list[RiskAsAt]) -> dict[int, str]:
    """The owners of the risks read by register_as_at, by pk, as a paper names them (their
    name now): one query (none when no risk has an owner)."""
    from django.contrib.auth import get_user_model

    ids = {risk.owner_id for risk in register_then if risk.owner_id is not None}
    if not ids:
        return {}
    return {
        person.pk: person.get_full_name() or person.get_username()
        for person in get_user_model().objects.filter(pk__in=ids)
    }
