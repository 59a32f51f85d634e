"""Committee papers' pages. Every paper is fetched through _get_paper_for_user: 404 for a paper
the user may not read (a draft, for a committee member), 403 for a step they may not take."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.models import Paper, Programme
from actions.papers import appendices, draft_files, files, queries, services
from actions.papers import changes as paper_changes
from actions.papers.content import paper_content, without_update
from actions.papers.forms import (
    DraftForm,
    PaperStartForm,
    ReopenForm,
    StepForm,
    SubscriptionForm,
)
from actions.permissions import (
    can_add_meeting,
    can_approve_paper,
    can_draft_paper,
    can_edit_paper,
    can_read,
    can_read_drafts,
    can_read_paper,
    can_reopen_quarter,
)
from careprog.downloads import attachment
from careprog.periods import ReportingPeriod

STEPS = {
    # url name: (service, who may, comment required, what it says when done)
    "submit": (services.submit, can_draft_paper, False, "The paper has been submitted."),
    "return": (services.return_paper, can_approve_paper, True, "The paper has been returned."),
    "approve": (services.approve, can_approve_paper, False, "The paper has been approved."),
}


def _programme_for_user(request, slug) -> Programme:
    if not can_read(request.user):
        raise PermissionDenied
    return get_object_or_404(Programme, slug=slug)


def _get_paper_for_user(request, pk) -> Paper:
    if not can_read(request.user):
        raise PermissionDenied
    paper = queries.paper_for_page(pk)
    if not can_read_paper(request.user, paper):
        raise Http404("No such paper")
    return paper


def _posted(request):
    """The form's data on a POST, even an empty one (which must fail validation, not be
    shown as a fresh form); None on a GET."""
    return request.POST if request.method == "POST" else None


def _refused(request, refusal: services.PaperRefused):
    return render(
        request,
        "actions/papers/refused.html",
        {"message": refusal.message},
        status=refusal.status,
    )


@require_GET
def paper_list(request, slug):
    programme = _programme_for_user(request, slug)
    papers = queries.papers_for_programme(programme)
    if not can_read_drafts(request.user):
        papers = papers.filter(state=Paper.State.PUBLISHED)
    return render(
        request,
        "actions/papers/paper_list.html",
        {
            "programme": programme,
            "papers": papers,
            "locks": queries.locks_for_programme(programme),
            "can_draft": can_draft_paper(request.user),
            "subscribed": queries.is_subscribed(programme, request.user),
        },
    )


def _start_defaults(request, programme, last_paper, today, meetings) -> dict:
    """What the new-paper form starts with: the latest quarter that has ended and has no
    published paper, figures as at today (papers quote the latest figures when written, and
    today lies between that quarter's end and any meeting offered), the last published
    paper's title block and sections, and the meeting just added on the forward plan
    (``?meeting=``), else the soonest of the programme's committee (``meetings`` lists its
    meetings first; one query, only when the programme has a committee)."""
    published = queries.published_periods(programme)
    ended = [p for p in programme.periods() if p.end < today and p not in published]
    meeting = request.GET.get("meeting")
    if not meeting and programme.committee_id:
        meeting = (
            meetings.filter(committee_id=programme.committee_id)
            .values_list("pk", flat=True)
            .first()
        )
    initial = {"meeting": meeting}
    if ended:
        initial.update(period=ended[-1].slug, figures_as_at=today.isoformat())
    if last_paper is not None:
        initial.update(
            title=last_paper.title, report_of=last_paper.report_of, start_from=str(last_paper.pk)
        )
    return initial


@require_POST
def paper_subscription(request, slug):
    """Subscribe to, or unsubscribe from, the programme's published papers: any reader."""
    programme = _programme_for_user(request, slug)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return _refused(request, services.PaperRefused(message, status=400))
    subscribe = form.cleaned_data["subscribe"]
    services.set_subscription(programme=programme, user=request.user, subscribed=subscribe)
    if subscribe:
        messages.success(request, f"You will be emailed when a {programme} paper is published.")
    else:
        messages.success(request, f"You will no longer be emailed about {programme} papers.")
    return redirect("actions:paper_list", slug=programme.slug)


@require_http_methods(["GET", "POST"])
def paper_new(request, slug):
    programme = _programme_for_user(request, slug)
    if not can_draft_paper(request.user):
        raise PermissionDenied
    return _start(request, programme)


@require_http_methods(["GET", "POST"])
def portfolio_paper_new(request):
    """A paper on a portfolio without a programme (a cabinet member's update, seed 002)."""
    if not (can_read(request.user) and can_draft_paper(request.user)):
        raise PermissionDenied
    return _start(request, None)


def _start(request, programme):
    today = timezone.localdate()
    # The programme's committee's meetings first, the others still offered: a paper now and
    # then goes elsewhere (cabinet, a joint board), and a programme with no committee, or
    # whose committee has no meeting planned, keeps every meeting to choose from.
    meetings = queries.meetings_from(
        today, committee_first=programme.committee_id if programme else None
    )
    has_meetings = meetings.exists()
    last_paper = queries.last_published(programme) if programme else None
    form = PaperStartForm(
        # With no meeting to come there is nothing to choose: the page says whom to ask.
        _posted(request) if has_meetings else None,
        periods=programme.periods() if programme else [],
        meetings=meetings,
        last_paper=last_paper,
        portfolio_paper=programme is None,
        initial=(
            _start_defaults(request, programme, last_paper, today, meetings)
            if programme
            else {"meeting": request.GET.get("meeting")}
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = data["meeting"]
        try:
            paper = services.start_paper(
                programme=programme,
                meeting=meeting,
                period=data.get("period") or ReportingPeriod.containing(meeting.date),
                figures_as_at=data.get("figures_as_at") or meeting.date,
                title=data["title"],
                report_of=data.get("report_of", ""),
                author=request.user,
                template=data["template"],
                start_from=data.get("start_from"),
                group_name=data["group_name"],
                councillor=data["councillor"],
                portfolio=data["portfolio"],
            )
        except services.PaperRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "Your draft has been started. Write its sections next.")
            return redirect("actions:paper_edit", pk=paper.pk)
    may_add_meeting = can_add_meeting(request.user)
    return render(
        request,
        "actions/papers/paper_new.html",
        {
            "programme": programme,
            "form": form,
            "has_meetings": has_meetings,
            "may_add_meeting": may_add_meeting,
            "add_meeting_url": f"{reverse('actions:meeting_new')}?"
            + urlencode({"next": request.path}),
            "meeting_keepers": [] if may_add_meeting else queries.programme_administrators(),
        },
        status=400 if form.errors or (request.method == "POST" and not has_meetings) else 200,
    )


@require_GET
def all_papers(request):
    """Every paper the user may read, a portfolio's and a programme's alike, newest meeting
    first (programme papers are also under their programme's papers page)."""
    if not can_read(request.user):
        raise PermissionDenied
    papers = queries.all_papers()
    if not can_read_drafts(request.user):
        papers = papers.filter(state=Paper.State.PUBLISHED)
    return render(
        request,
        "actions/papers/all_papers.html",
        {"papers": papers, "can_draft": can_draft_paper(request.user)},
    )


@require_GET
def paper_detail(request, pk):
    paper = _get_paper_for_user(request, pk)
    content = paper_content(paper)
    user = request.user
    steps = []
    awaiting_sign_off = paper.state in (Paper.State.SUBMITTED, Paper.State.APPROVED)
    contribution = paper.contribution_of(user) if awaiting_sign_off else None
    may_decide = awaiting_sign_off and can_approve_paper(user) and contribution is None
    if paper.state == Paper.State.DRAFT and can_draft_paper(user):
        steps.append(("submit", "Submit for approval", False))
    if may_decide:
        if paper.state == Paper.State.SUBMITTED:
            steps.append(("approve", "Approve", False))
        steps.append(("return", "Return with comments", True))
    return render(
        request,
        "actions/papers/paper_detail.html",
        {
            "paper": paper,
            "content": content,
            "events": paper.events.all(),
            "steps": steps,
            "may_publish": may_decide and paper.state == Paper.State.APPROVED,
            "own_contribution": contribution if can_approve_paper(user) else None,
            "contributors": paper.contributors(),
            "can_edit": can_edit_paper(user, paper),
            "change_count": paper_changes.count(content["changes"]),
            "appendix_names": appendices.names(content),
            "appendix_order": appendices.order(content),
            "record_blank_updates": not appendices.published_before_names(content),
            "without_update": [] if paper.is_published else without_update(content),
        },
    )


@require_GET
def paper_changes_page(request, pk):
    paper = _get_paper_for_user(request, pk)
    content = paper_content(paper)
    return render(
        request,
        "actions/papers/paper_changes.html",
        {
            "paper": paper,
            "content": content,
            "change_count": paper_changes.count(content["changes"]),
        },
    )


@require_http_methods(["GET", "POST"])
def paper_edit(request, pk):
    paper = _get_paper_for_user(request, pk)
    if not can_draft_paper(request.user):
        raise PermissionDenied
    if not paper.is_draft:
        return _refused(
            request,
            services.PaperRefused(
                f"This paper is {paper.get_state_display().lower()}: only a draft can be "
                "edited. An approver can return it to draft with comments.",
                status=409,
            ),
        )
    sections = list(paper.sections.all())
    initial = {
        "version": paper.version,
        # ISO, as a date input takes it: the template would render a date object in the
        # locale's format ("31 Dec 2024"), which the browser drops, failing every save.
        "figures_as_at": paper.figures_as_at.isoformat(),
        "title": paper.title,
        "report_of": paper.report_of,
        "group_name": paper.group_name,
        "councillor": paper.councillor,
        "portfolio": paper.portfolio,
    }
    form = DraftForm(
        _posted(request),
        initial=initial,
        sections=sections,
        title_block=paper.title_block,
        figures=paper.has_appendices,
    )
    stale = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            new_section = form.new_section()
            try:
                services.save_draft(
                    paper_id=paper.pk,
                    user=request.user,
                    seen_version=data["version"],
                    figures_as_at=data.get("figures_as_at", paper.figures_as_at),
                    title=data["title"],
                    report_of=data.get("report_of", ""),
                    sections=form.section_values(),
                    new_section=new_section,
                    rows=form.row_values(),
                    **form.family_values(),
                )
            except services.StalePaper as conflict:
                stale = conflict.paper
                status = 409
            except services.PaperRefused as refusal:
                if refusal.status != 400:
                    return _refused(request, refusal)
                form.add_error("figures_as_at", refusal.message)
                status = 400
            else:
                if new_section is None:
                    messages.success(request, "The draft has been saved.")
                    return redirect(paper)
                messages.success(
                    request,
                    f"The draft has been saved and the section “{new_section[1]}” added.",
                )
                return redirect("actions:paper_edit", pk=paper.pk)
        else:
            status = 400
    return render(
        request,
        "actions/papers/paper_edit.html",
        {"paper": paper, "form": form, "stale": stale},
        status=status,
    )


@require_POST
def paper_step(request, pk, step):
    paper = _get_paper_for_user(request, pk)
    service, may, comment_required, done = STEPS[step]
    if not may(request.user):
        raise PermissionDenied
    form = StepForm(request.POST, comment_required=comment_required)
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return _refused(request, services.PaperRefused(message, status=400))
    try:
        service(paper_id=paper.pk, user=request.user, comment=form.cleaned_data["comment"])
    except services.PaperRefused as refusal:
        return _refused(request, refusal)
    messages.success(request, done)
    return redirect(paper)


@require_http_methods(["GET", "POST"])
def paper_publish(request, pk):
    """Publishing confirms first: the page lists what the paper is missing (actions with no
    update for its quarter, figures awaiting approval, empty sections); publishing anyway is
    the approver's call, so a POST from it publishes whatever it lists."""
    paper = _get_paper_for_user(request, pk)
    if not can_approve_paper(request.user):
        raise PermissionDenied
    form = StepForm(_posted(request))
    try:
        services.check_may_publish(paper=paper, user=request.user)
    except services.PaperRefused as refusal:
        return _refused(request, refusal)
    if request.method == "POST" and form.is_valid():
        try:
            services.publish(
                paper_id=paper.pk, user=request.user, comment=form.cleaned_data["comment"]
            )
        except services.PaperRefused as refusal:
            return _refused(request, refusal)
        messages.success(request, "The paper has been published.")
        return redirect(paper)
    return render(
        request,
        "actions/papers/paper_publish.html",
        {"paper": paper, "form": form, "gaps": queries.publishing_gaps(paper)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def quarter_reopen(request, slug, period: ReportingPeriod):
    programme = _programme_for_user(request, slug)
    if not can_reopen_quarter(request.user):
        raise PermissionDenied
    lock = queries.lock_for(programme.pk, period)
    if lock is None:
        raise Http404(f"{period.label} is not locked")
    form = ReopenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_quarter(
                programme=programme,
                period=period,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.PaperRefused as refusal:  # reopened by someone else meanwhile
            return _refused(request, refusal)
        messages.success(request, f"{period.label} is open again for officers' updates.")
        return redirect("actions:paper_list", slug=programme.slug)
    return render(
        request,
        "actions/papers/quarter_reopen.html",
        {
            "programme": programme,
            "period": period,
            "lock": lock,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# A paper's files ------------------------------------------------------------------------------


def _download(request, pk, kind):
    """Whoever may read the paper may download its files: a draft's built from live data by a
    background job, the person shown a page that waits and then offers it ("Draft" on every
    page; papers/draft_files.py), a published paper's the file stored when it was published,
    the same bytes on every download (papers/files.py)."""
    paper = _get_paper_for_user(request, pk)
    if not paper.is_published:
        return redirect(draft_files.request_file(paper=paper, kind=kind, user=request.user))
    try:
        body = files.paper_file(paper, kind)
    except files.FileLost:
        return _refused(
            request,
            services.PaperRefused(
                "This published file is missing from the service's storage and cannot be "
                "made again exactly as published. Ask the service's administrators to restore "
                "it from the backup.",
                status=503,
            ),
        )
    file_kind = files.KINDS[kind]
    response = HttpResponse(body, content_type=file_kind.content_type)
    return attachment(response, files.file_name(paper, kind))


@require_GET
def paper_docx(request, pk):
    """The paper as a Word document, in the council's layout and named styles."""
    return _download(request, pk, files.Kind.DOCX)


@require_GET
def paper_xlsx(request, pk):
    """The paper's appendices as an Excel workbook."""
    return _download(request, pk, files.Kind.XLSX)


@require_GET
def paper_pdf(request, pk):
    """The paper as PDF, printed from the same content as its page."""
    return _download(request, pk, files.Kind.PDF)
