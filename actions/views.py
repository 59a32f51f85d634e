import functools

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from actions import exports, queries
from actions.action_changes import changes_for_action
from actions.attention import needs_attention
from actions.evidence import evidence_lines
from actions.filters import ActionFilter
from actions.forms import STATUS_HINTS, UpdateForm
from actions.models import Abbreviation, Programme, Status
from actions.papers import content as paper_content
from actions.papers import queries as paper_queries
from actions.papers import xlsx as paper_xlsx
from actions.permissions import (
    READ_PERMISSION,
    UPDATE_PERMISSION,
    can_approve_paper,
    can_draft_paper,
    can_manage,
    can_read,
    can_update,
)
from actions.services import ActionRetired, QuarterLocked, StaleEdit, record_update
from actions.tables import ActionTable
from careprog.downloads import attachment, download_name
from careprog.paging import page_of
from careprog.periods import InvalidPeriod, ReportingPeriod
from kpis import approval as kpi_approval
from kpis import dashboard_rows
from kpis.permissions import APPROVE_PERMISSION

read_required = permission_required(READ_PERMISSION, raise_exception=True)


HOME_PROGRAMMES = 10  # on home, the person's own first; the rest on /programmes/
PROGRAMMES_PER_PAGE = 25


@require_GET
def home(request):
    """Open to every signed-in user, so someone without a role learns what to do. Readers
    start from each programme's "Needs attention" (at most HOME_PROGRAMMES, those they lead
    or share actions in first, so home costs the same however many programmes there are); an
    officer also sees what is due, and each person the committee papers awaiting their
    decision (one query)."""
    reader = can_read(request.user)
    return render(
        request,
        "home.html",
        {
            "programmes": (
                page_of(
                    queries.programmes_for_home(request.user),
                    QueryDict(),
                    per_page=HOME_PROGRAMMES,
                )
                if reader
                else None
            ),
            "updates_due": (
                queries.updates_due_for(request.user)
                if reader and request.user.has_perm(UPDATE_PERMISSION)
                else []
            ),
            "figures_to_approve": (
                kpi_approval.awaiting_decision_by(request.user)
                if request.user.has_perm(APPROVE_PERMISSION)
                else 0
            ),
            "papers_awaiting": paper_queries.papers_awaiting(
                request.user,
                may_draft=reader and can_draft_paper(request.user),
                may_approve=reader and can_approve_paper(request.user),
            ),
        },
    )


@require_GET
@read_required
def glossary(request):
    """Every abbreviation the papers use, in plain words."""
    return render(
        request,
        "actions/glossary.html",
        {"abbreviations": Abbreviation.objects.order_by("abbreviation")},
    )


@require_GET
@read_required
def programme_list(request):
    """A page of PROGRAMMES_PER_PAGE programmes by name: one query however many there are."""
    page = page_of(queries.programmes_for_list(), request.GET, per_page=PROGRAMMES_PER_PAGE)
    return render(
        request,
        "actions/programme_list.html",
        {"programmes": page.items, "page": page, "can_manage": can_manage(request.user)},
    )


def _programme_reporting_on(slug, period: ReportingPeriod) -> Programme:
    """The programme, or 404 if there is none or it does not report on ``period``; with the
    quarter it asks officers to update (Programme.update_period()), at no extra query."""
    programme = get_object_or_404(Programme.objects.with_update_period(), slug=slug)
    if not programme.covers(period):
        raise Http404(f"{programme} does not report on {period}")
    return programme


def _redirect_to_quarter(view: str, slug, chosen: str | None = None):
    """To the programme's page ``view`` for the quarter ``chosen`` names (404 if it names
    none), or for its latest reported quarter."""
    programme = get_object_or_404(Programme, slug=slug)
    if chosen:
        try:
            period = ReportingPeriod.parse(chosen)
        except InvalidPeriod:
            raise Http404("No such reporting period") from None
    else:
        period = queries.latest_reported_period(programme)
    return redirect(view, slug=programme.slug, period=period.slug)


def _kpi_as_at(period: ReportingPeriod) -> ReportingPeriod | None:
    """The quarter the page's links read a KPI as at: one that has begun, not one to come."""
    return period if period <= ReportingPeriod.current() else None


@require_GET
@read_required
def attention_latest(request, slug):
    """The latest reported quarter's "Needs attention", as report_latest chooses it."""
    return _redirect_to_quarter("actions:attention", slug)


# Printed on one sheet, with the running header (templates/includes/print_header.html).
@csp_update({"style-src": [NONCE]})
@require_GET
@read_required
def attention(request, slug, period: ReportingPeriod):
    programme = _programme_reporting_on(slug, period)
    return render(
        request,
        "actions/attention.html",
        {
            # Read only when the page's body is not kept (careprog.page_cache).
            "attention": SimpleLazyObject(lambda: needs_attention(programme, period)),
            "programme": programme,
            "period": period,
            "statuses": list(Status),
            "kpi_as_at": _kpi_as_at(period),
        },
    )


@require_GET
@read_required
def report_latest(request, slug):
    """The latest period's report; also where the period selector's form lands."""
    return _redirect_to_quarter("actions:report", slug, request.GET.get("period"))


# The printed report's running header is a nonced <style> (templates/includes/print_header.html).
@csp_update({"style-src": [NONCE]})
@require_GET
@read_required
def report(request, slug, period: ReportingPeriod):
    programme = _programme_reporting_on(slug, period)
    # Read only when the page's body is not kept (careprog.page_cache), each once.
    tables = functools.cache(lambda: queries.report_tables(programme, period))
    published = functools.cache(lambda: paper_queries.published_paper_for(programme, period))
    # The measures as they stood at the quarter's end, so a report reads the same after later
    # figures arrive; one line each, as on the dashboard.
    evidence = functools.cache(lambda: evidence_lines(programme, as_at=period.end))
    return render(
        request,
        "actions/report.html",
        {
            "programme": programme,
            "period": period,
            "periods": SimpleLazyObject(programme.periods),
            "tables": SimpleLazyObject(tables),
            "published": SimpleLazyObject(published),
            "differs": SimpleLazyObject(
                lambda: paper_queries.differences_from_published(published(), tables())
            ),
            "evidence": SimpleLazyObject(evidence),
            "key": SimpleLazyObject(
                lambda: dashboard_rows.Key.of(
                    line for lines in evidence().values() for line in lines
                )
            ),
            "kpi_as_at": _kpi_as_at(period),
            "can_carry": can_manage(request.user),
        },
    )


def _action_table_page(request, actions, *, title, mine=False):
    """A filtered, sorted, paginated table of actions, or its export as CSV or XLSX."""
    action_filter = ActionFilter(request.GET, queryset=actions)
    rows = action_filter.qs
    # The programme chosen, already read by the filter (no query); None: the list spans them.
    chosen_programme = action_filter.form.cleaned_data.get("programme")
    table = ActionTable(rows)
    export_format = request.GET.get("export")
    if export_format:
        if export_format not in exports.FORMATS:
            raise Http404("No such export format")
        RequestConfig(request, paginate=False).configure(table)
        return exports.table_response(table, export_format, filename=title)
    _sort_and_paginate(request, table)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "actions/action_list.html",
        {
            "title": title,
            "filter": action_filter,
            "table": table,
            "counts": queries.status_counts(rows),
            "query": query.urlencode(),
            "mine": mine,
            "chosen_programme": chosen_programme,
        },
    )


PER_PAGE = 25
MAX_PER_PAGE = 100


def _sort_and_paginate(request, table) -> None:
    """?sort=, ?page= and ?per_page= as django-tables2 reads them, except that every value
    gives a page: a page number that is not one gives the first page, one past the end the
    last, and a per_page outside 1 to MAX_PER_PAGE the default (django-tables2 hands a
    negative one to Django's Paginator, which fails)."""
    RequestConfig(request, paginate=False).configure(table)
    try:
        per_page = int(request.GET.get(table.prefixed_per_page_field, PER_PAGE))
    except ValueError:
        per_page = PER_PAGE
    table.paginate(per_page=per_page if 1 <= per_page <= MAX_PER_PAGE else PER_PAGE)
    table.page = table.paginator.get_page(request.GET.get(table.prefixed_page_field))


@require_GET
@read_required
def action_list(request):
    actions = queries.actions_with_latest_update()
    return _action_table_page(request, actions, title="All actions")


@require_GET
@read_required
def my_actions(request):
    actions = (
        queries.actions_with_latest_update()
        .filter(Q(lead=request.user) | Q(delegates=request.user))
        .distinct()
    )
    return _action_table_page(request, actions, title="My actions", mine=True)


def _get_action_for_user(request, pk, *, write=False):
    """The action, or 403 for a reader without a role or a write the user may not make."""
    if not can_read(request.user):
        raise PermissionDenied
    action = queries.action_for_page(pk)
    if write and not can_update(request.user, action):
        raise PermissionDenied
    return action


def _form_period(request, action):
    """The quarter the form writes about: ?period= if open, else the one the programme asks
    officers to update (its last once its reporting is complete, which shows the lock)."""
    programme = action.mechanism.requirement.objective.programme
    open_periods = programme.periods_open_for_updates()
    asked = open_periods[-1]
    try:
        chosen = ReportingPeriod.parse(request.GET["period"])
    except (KeyError, InvalidPeriod):
        return asked, open_periods
    return (chosen if chosen in open_periods else asked), open_periods


@require_http_methods(["GET", "POST"])
def action_detail(request, pk):
    action = _get_action_for_user(request, pk, write=request.method == "POST")
    period, open_periods = _form_period(request, action)
    updates = {update.period: update for update in action.updates_newest_first}
    conflict, refused_status = None, None

    if request.method == "POST":
        form = UpdateForm(request.POST, open_periods=open_periods)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record_update(
                    action_id=action.pk,
                    period=data["period"],
                    text=data["text"],
                    status=Status(data["status"]),
                    reason=data["reason"],
                    next_step=data["next_step"],
                    author=request.user,
                    seen_action_version=data["action_version"],
                    seen_update_version=data["update_version"],
                )
            except QuarterLocked as locked:
                return _quarter_locked(request, action, locked.lock)
            except ActionRetired as retired:
                form.add_error(None, retired.message)
                refused_status = 409
            except StaleEdit as stale:
                conflict = stale
                # Re-applying means submitting again against what is there now.
                form = UpdateForm(
                    {
                        **request.POST.dict(),
                        "action_version": stale.action.version,
                        "update_version": stale.update.version if stale.update else 0,
                    },
                    open_periods=open_periods,
                )
                form.is_valid()
                action = queries.action_for_page(pk)
                updates = {update.period: update for update in action.updates_newest_first}
            else:
                messages.success(request, f"Your update for {data['period'].label} has been saved.")
                return redirect(action)
        period = form.cleaned_data.get("period") or period
    else:
        existing = updates.get(period)
        form = UpdateForm(
            initial={
                "period": period,
                "status": existing.status if existing else _rated_or_none(action.status),
                "text": existing.text if existing else "",
                "reason": existing.reason if existing else action.reason,
                "next_step": existing.next_step if existing else action.next_step,
                "action_version": action.version,
                "update_version": existing.version if existing else 0,
            },
            open_periods=open_periods,
        )

    programme = action.mechanism.requirement.objective.programme
    lock = None if can_manage(request.user) else paper_queries.lock_for(programme.pk, period)
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "programme": programme,
            "objective": action.mechanism.requirement.objective,
            "can_update": can_update(request.user, action),
            "form": form,
            "form_period": period,
            "editing_existing": period in updates,
            "other_periods": [p for p in reversed(open_periods) if p != period],
            "conflict": conflict,
            "lock": lock,
            "submitted_status": _status_label(form.data.get("status")) if conflict else "",
            "changes": changes_for_action(action),
            "earlier_years": queries.earlier_years(action),
            "status_hints": {status.value: hint for status, hint in STATUS_HINTS.items()},
        },
        status=409 if conflict else (refused_status or 200),
    )


def _quarter_locked(request, action, lock):
    """403 with a page that says why: the quarter went to committee in a published paper."""
    return render(
        request,
        "actions/papers/quarter_locked.html",
        {"action": action, "lock": lock},
        status=403,
    )


def _status_label(value):
    return Status(value).label if value in Status.values else "(none)"


def _rated_or_none(status):
    """Offer the current rating as the default, but never "not assessed"."""
    return None if status == Status.NOT_ASSESSED else status


@require_GET
@read_required
def report_xlsx(request, slug, period: ReportingPeriod):
    """The report's tables as an Excel workbook: today's data, like the page."""
    programme = _programme_reporting_on(slug, period)
    body = paper_xlsx.report_workbook(
        programme_name=programme.name,
        period_label=period.label,
        period_months=period.months,
        tables=paper_content.progress(programme, period),
        at=timezone.localtime(),
    )
    name = download_name(
        "report", "xlsx", programme=programme.slug, period=period, on=timezone.localdate()
    )
    return attachment(HttpResponse(body, content_type=paper_xlsx.CONTENT_TYPE), name)
