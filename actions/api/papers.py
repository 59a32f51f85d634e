"""/api/papers/: the committee papers the token's person may read, each with its published
snapshot (the frozen content its page, PDF, Word and Excel are rendered from) and that
snapshot's SHA-256, the record's digest printed on the paper's page.

Published papers are read by every role that reads papers; drafts, submitted and approved
papers only by those who may draft or approve them (actions.permissions.can_read_drafts), so a
committee member's token never sees one. An unpublished paper has no snapshot: null.

Two queries a page whatever its size: the count and the rows (programme, meeting and committee
joined, the snapshot read with the row).
"""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from rest_framework import serializers
from rest_framework.permissions import BasePermission

from actions.api.parameters import changed_since, programme_slug
from actions.models import Paper, PaperEvent, PaperSection
from actions.permissions import READ_PAPER_PERMISSION, can_read_drafts
from careprog.api.views import ReadList


class MayReadPapers(BasePermission):
    message = "Your role does not read committee papers."

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(READ_PAPER_PERMISSION))


def papers_for(user, *, programme: str | None = None, state: str | None = None, changed_since=None):
    """The papers ``user`` may read (actions.permissions.can_read_paper's rule, in SQL),
    newest meeting first as the paper lists order them: one query."""
    papers = Paper.objects.select_related("programme", "meeting__committee").order_by(
        "-meeting__date", "-period", "-pk"
    )
    if not can_read_drafts(user):
        papers = papers.filter(state=Paper.State.PUBLISHED)
    if programme is not None:
        papers = papers.filter(programme__slug=programme)
    if state is not None:
        papers = papers.filter(state=state)
    if changed_since is not None:
        papers = papers.filter(_changed_after(changed_since))
    return papers


def _changed_after(moment) -> Q:
    """Started, published, a step of its sign-off taken, or a section saved after ``moment``."""
    sections = PaperSection.history.filter(history_date__gt=moment).values("paper_id")
    return (
        Q(created_at__gt=moment)
        | Q(published_at__gt=moment)
        | Exists(PaperEvent.objects.filter(paper=OuterRef("pk"), at__gt=moment))
        | Q(pk__in=sections)
    )


class PaperRow(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="The paper's number in careprog")
    title = serializers.CharField(help_text="The report's title")
    programme = serializers.CharField(
        source="programme.slug",
        allow_null=True,
        default=None,
        help_text="The programme's slug, or null for a portfolio's paper",
    )
    committee = serializers.CharField(
        source="meeting.committee.name", help_text="The committee it goes to"
    )
    meeting = serializers.CharField(source="meeting.__str__", help_text="Committee and day")
    meeting_date = serializers.DateField(source="meeting.date", help_text="The meeting's day")
    state = serializers.ChoiceField(choices=Paper.State.choices)
    state_label = serializers.CharField(source="get_state_display", help_text="The state in words")
    period = serializers.CharField(
        source="period.slug", help_text="The quarter its progress appendix reports"
    )
    figures_as_at = serializers.DateField(
        help_text="Its figures are the latest on or before this day"
    )
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was published; null until then"
    )
    snapshot = serializers.JSONField(
        allow_null=True,
        help_text="Everything the published paper shows, frozen when it was published; null "
        "until then",
    )
    snapshot_sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces, UTF-8), "
        "as the paper's page prints it; null until published"
    )
    url = serializers.SerializerMethodField(help_text="The paper's page in careprog")
    pdf_url = serializers.SerializerMethodField(help_text="The paper as PDF")
    docx_url = serializers.SerializerMethodField(help_text="The paper as Word")
    xlsx_url = serializers.SerializerMethodField(help_text="Its appendices as Excel")

    def get_snapshot_sha256(self, paper) -> str | None:
        return paper.snapshot_sha256 or None

    def _link(self, name: str, paper) -> str:
        return self.context["request"].build_absolute_uri(reverse(name, kwargs={"pk": paper.pk}))

    def get_url(self, paper) -> str:
        return self._link("actions:paper", paper)

    def get_pdf_url(self, paper) -> str:
        return self._link("actions:paper_pdf", paper)

    def get_docx_url(self, paper) -> str:
        return self._link("actions:paper_docx", paper)

    def get_xlsx_url(self, paper) -> str:
        return self._link("actions:paper_xlsx", paper)


class PaperParameters(serializers.Serializer):
    programme = programme_slug()
    state = serializers.ChoiceField(
        choices=Paper.State.choices,
        required=False,
        help_text="Only papers in this state (none but published for those who may not read "
        "drafts)",
    )
    changed_since = changed_since("papers started, published, signed off or edited")


class PaperList(ReadList):
    """The papers the token's person may read, newest meeting first."""

    serializer_class = PaperRow
    parameters = PaperParameters
    permission_classes = [*ReadList.permission_classes, MayReadPapers]

    def rows(self, parameters):
        return papers_for(self.request.user, **parameters)
