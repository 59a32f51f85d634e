"""A programme's risk register: each risk scored likelihood × impact (1–5 each, so 1–25)
before controls (inherent), now (residual) and where the council wants it (target), banded by
the council's risk policy (RiskBand, kept in admin), and reviewed by its owner on a cycle
(RiskReview), each review saying whether the risk has moved since the last."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

SCALE = range(1, 6)
# Every score likelihood × impact can make: a target is one of them (13 is no score).
POSSIBLE_SCORES = sorted({likelihood * impact for likelihood in SCALE for impact in SCALE})
LIKELIHOOD_WORDS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_WORDS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


def _on_scale(field: str) -> Q:
    return Q(**{f"{field}__gte": 1, f"{field}__lte": 5})


class RiskBand(models.Model):
    """A band of scores the council's risk policy names ("High", 15–25). The colour is a
    GOV.UK tag colour rather than any hex, so its text always meets contrast; the band's name
    is printed beside it everywhere, so colour is never the only signal."""

    class Colour(models.TextChoices):
        GREEN = "green", "Green"
        YELLOW = "yellow", "Yellow"
        ORANGE = "orange", "Orange"
        RED = "red", "Red"
        PINK = "pink", "Pink"
        PURPLE = "purple", "Purple"
        BLUE = "blue", "Blue"
        LIGHT_BLUE = "light-blue", "Light blue"
        TURQUOISE = "turquoise", "Turquoise"
        GREY = "grey", "Grey"

    name = models.CharField(max_length=50, unique=True)
    lowest = models.PositiveSmallIntegerField(help_text="The band's lowest score, 1 to 25")
    highest = models.PositiveSmallIntegerField(help_text="The band's highest score, 1 to 25")
    colour = models.CharField(max_length=20, choices=Colour.choices, default=Colour.GREY)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lowest band first")

    class Meta:
        ordering = ["position", "lowest"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lowest__gte=1, highest__lte=25, lowest__lte=F("highest")),
                name="actions_riskband_scores_in_order",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.lowest}–{self.highest})"

    def get_absolute_url(self):
        return reverse("admin:actions_riskband_change", args=[self.pk])

    @property
    def tag_class(self) -> str:
        return f"govuk-tag--{self.colour}"


def band_for(score: int | None, bands) -> RiskBand | None:
    """The band holding ``score`` among ``bands`` (already read: no query); None for no
    score, or a score the policy leaves unbanded."""
    if score is None:
        return None
    return next((band for band in bands if band.lowest <= score <= band.highest), None)


class Direction(models.TextChoices):
    """A risk's direction since its last review: a lower residual score is better."""

    IMPROVING = "improving", "Improving"
    NO_CHANGE = "no-change", "No change"
    WORSENING = "worsening", "Worsening"

    @property
    def arrow(self) -> str:
        return {"improving": "↓", "no-change": "→", "worsening": "↑"}[self.value]


def direction(previous: int | None, current: int) -> Direction | None:
    """Improving when the residual score fell, worsening when it rose; None with nothing to
    compare (a risk not yet reviewed)."""
    if previous is None:
        return None
    if current < previous:
        return Direction.IMPROVING
    if current > previous:
        return Direction.WORSENING
    return Direction.NO_CHANGE


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    ESCALATED = "escalated", "Escalated"
    CLOSED = "closed", "Closed"


class Risk(models.Model):
    """One risk on a programme's register, written as cause → risk → consequence.

    The residual likelihood, impact, status and next review date are the latest review's
    (actions/risks/services.py writes both at once), stored here so the register reads one row
    per risk. ``version`` grows on every save: a form opened before someone else's save is
    refused (409)."""

    Status = RiskStatus

    programme = models.ForeignKey("actions.Programme", models.CASCADE, related_name="risks")
    reference = models.CharField(max_length=20, help_text="As the register numbers it, e.g. R1")
    title = models.CharField(max_length=300)
    cause = models.TextField(blank=True)
    consequence = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
        help_text="Reviews the risk and keeps its scores current",
    )
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    target_score = models.PositiveSmallIntegerField()
    controls = models.TextField(blank=True)
    mitigating_actions = models.ManyToManyField(
        "actions.Action", blank=True, related_name="mitigated_risks"
    )
    review_date = models.DateField(help_text="When the next review is due")
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["version"], m2m_fields=[mitigating_actions])

    class Meta:
        ordering = ["programme", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"], name="actions_risk_reference_per_programme"
            ),
            models.CheckConstraint(
                condition=_on_scale("inherent_likelihood")
                & _on_scale("inherent_impact")
                & _on_scale("residual_likelihood")
                & _on_scale("residual_impact"),
                name="actions_risk_scores_on_the_scale",
            ),
            models.CheckConstraint(
                condition=Q(target_score__gte=1, target_score__lte=25),
                name="actions_risk_target_on_the_scale",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:risk", args=[self.programme.slug, self.reference])

    @property
    def inherent_score(self) -> int:
        return self.inherent_likelihood * self.inherent_impact

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_impact

    def review_overdue(self, today) -> bool:
        """A closed risk is no longer reviewed."""
        return self.status != RiskStatus.CLOSED and self.review_date < today


class RiskReview(models.Model):
    """A review of a risk by its owner (or an administrator): the residual scores then, the
    status, what was said and when the next review is due. ``previous_score`` is the residual
    score the review started from, so its direction never depends on later edits."""

    risk = models.ForeignKey(Risk, models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="risk_reviews"
    )
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RiskStatus.choices)
    note = models.TextField(blank=True)
    next_review_date = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "-reviewed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_on_scale("residual_likelihood") & _on_scale("residual_impact"),
                name="actions_riskreview_scores_on_the_scale",
            )
        ]

    def __str__(self):
        return f"{self.risk.reference} reviewed {self.reviewed_at:%d/%m/%Y}"

    def get_absolute_url(self):
        return f"{self.risk.get_absolute_url()}#review-{self.pk}"

    @property
    def score(self) -> int:
        return self.residual_likelihood * self.residual_impact

    @property
    def direction(self) -> Direction | None:
        return direction(self.previous_score, self.score)

    @property
    def status_choice(self) -> RiskStatus:
        return RiskStatus(self.status)
