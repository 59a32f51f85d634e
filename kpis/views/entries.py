"""Figures entered by their owners and approved by another: entering, My measures, the
figures awaiting approval and one entry's decision."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kpis import approval, due
from kpis.forms import (
    DecisionForm,
    EntryForm,
)
from kpis.models import KPI, KPIEntry, Origin
from kpis.permissions import (
    APPROVE_PERMISSION,
    ENTER_PERMISSION,
    can_approve,
    can_enter,
    can_view,
)
from kpis.rating import dfe_publishes, period_name

# How many of a measure's latest periods its owner may enter a figure for.
ENTRY_PERIODS_OFFERED = 12


def _kpi_for_entry(request, code) -> KPI:
    """The measure, or 403 unless the user is its owner or a delegate."""
    if not can_view(request.user):
        raise PermissionDenied
    kpi = get_object_or_404(KPI.objects.select_related("group", "owned_by"), code=code)
    if not can_enter(request.user, kpi):
        raise PermissionDenied
    return kpi


def _entry_period(request, kpi, offered) -> dt.date:
    """The period the form is for: ?period= if offered, else the latest period ended."""
    try:
        chosen = dt.date.fromisoformat(request.GET.get("period", ""))
    except ValueError:
        return offered[0]
    return chosen if chosen in offered else offered[0]


@require_http_methods(["GET", "POST"])
def kpi_enter(request, code):
    kpi = _kpi_for_entry(request, code)
    today = timezone.localdate()
    offered = due.period_ends_before(kpi, today, ENTRY_PERIODS_OFFERED)
    period_end = _entry_period(request, kpi, offered)
    conflict = None
    if request.method == "POST":
        form = EntryForm(request.POST, kpi=kpi, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = approval.enter_figure(
                    kpi=kpi,
                    user=request.user,
                    period_end=data["period_end"],
                    value=data["value"],
                    numerator=data.get("numerator"),
                    denominator=data.get("denominator"),
                    commentary=data["commentary"],
                    seen_version=data["seen_version"],
                    today=today,
                )
            except approval.FigureInvalid as invalid:
                for name, problem in invalid.problems.items():
                    form.add_error(name if name in form.fields else None, problem)
            except approval.StaleEntry as stale:
                conflict = stale
                # Saving again means saving against what is there now.
                form = EntryForm(
                    {
                        **request.POST.dict(),
                        "seen_version": approval.version_of(
                            stale.entry, None if stale.entry else stale.value
                        ),
                    },
                    kpi=kpi,
                    today=today,
                )
                form.is_valid()
            else:
                named = period_name(entry.period_end, kpi)
                messages.success(request, f"Your figure for {named} has been sent for approval.")
                return redirect("kpis:entry", pk=entry.pk)
        period_end = form.cleaned_data.get("period_end") or period_end
    else:
        entry = approval.open_entries().filter(kpi=kpi, period_end=period_end).first()
        value = None if entry else approval.approved_value(kpi, period_end)
        current = entry or value
        shown = (current.value, current.numerator, current.denominator) if current else (None,) * 3
        if value is not None and value.origin == Origin.DFE:
            # Beside DfE's figure the form holds the council's own, never DfE's.
            shown = (value.local_value, value.local_numerator, value.local_denominator)
        form = EntryForm(
            initial={
                "period_end": period_end,
                "value": _plain(shown[0]),
                "numerator": _plain(shown[1]),
                "denominator": _plain(shown[2]),
                "commentary": current.commentary if current else "",
                "seen_version": approval.version_of(entry, value),
            },
            kpi=kpi,
            today=today,
        )
    returned = (
        approval.open_entries()
        .filter(kpi=kpi, period_end=period_end, state=KPIEntry.State.RETURNED)
        .select_related("decided_by")
        .first()
    )
    return render(
        request,
        "kpis/kpi_enter.html",
        {
            "kpi": kpi,
            "form": form,
            "period_end": period_end,
            "offered": offered,
            "due_on": due.due_on(kpi, period_end),
            "returned": returned,
            "conflict": conflict,
            "dfe_publishes": _dfe_publishes(kpi, period_end),
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


def _dfe_publishes(kpi: KPI, period_end: dt.date) -> str:
    """ "DfE publishes 90.0% for this period" where it does: the owner's figure is kept beside
    DfE's as the council's own. One query."""
    figure = approval.dfe_figure(kpi, period_end)
    return dfe_publishes(figure.value, kpi) if figure else ""


def _plain(number) -> str:
    return "" if number is None else f"{number.normalize():f}"


def _entry_for_user(request, pk) -> KPIEntry:
    """The entry, for its measure's owner and delegates and for approvers; else 403."""
    if not can_view(request.user):
        raise PermissionDenied
    entry = get_object_or_404(
        KPIEntry.objects.select_related("kpi__group", "entered_by", "decided_by", "batch").defer(
            "batch__content"
        ),
        pk=pk,
    )
    if not (request.user.has_perm(APPROVE_PERMISSION) or can_enter(request.user, entry.kpi)):
        raise PermissionDenied
    return entry


@require_http_methods(["GET", "POST"])
def entry_detail(request, pk):
    """An entered figure; approvers approve it or return it with a comment (POST)."""
    entry = _entry_for_user(request, pk)
    form = DecisionForm(initial={"seen_version": approval.version_of(entry, None)})
    refusal = ""
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(APPROVE_PERMISSION):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    approval.approve_entry(
                        entry=entry, user=request.user, seen_version=data["seen_version"]
                    )
                    done = "approved: committee members now see it"
                else:
                    approval.return_entry(
                        entry=entry,
                        user=request.user,
                        comment=data["comment"],
                        seen_version=data["seen_version"],
                    )
                    done = "returned to its owner"
            except approval.EntryRefused:
                raise PermissionDenied from None
            except (approval.EntryDecided, approval.StaleEntry) as conflict:
                refusal = (
                    str(conflict)
                    if isinstance(conflict, approval.EntryDecided)
                    else "Its owner changed this figure after you opened it: read it again."
                )
                status = 409
                entry = _entry_for_user(request, pk)
                form = DecisionForm(initial={"seen_version": approval.version_of(entry, None)})
            else:
                messages.success(
                    request,
                    f"The figure for {period_name(entry.period_end, entry.kpi)} was {done}.",
                )
                return redirect("kpis:entry", pk=entry.pk)
        else:
            status = 400
    return render(
        request,
        "kpis/entry_detail.html",
        {
            "entry": entry,
            "kpi": entry.kpi,
            "form": form,
            "refusal": refusal,
            "may_decide": entry.state == KPIEntry.State.AWAITING
            and can_approve(request.user, entry),
            "supplied": entry.batch.supplied_by(request.user) if entry.batch_id else "",
            "may_correct": entry.state != KPIEntry.State.APPROVED
            and can_enter(request.user, entry.kpi),
            "changes": entry.history.select_related("history_user").order_by("-history_id"),
        },
        status=status,
    )


@require_GET
@permission_required(APPROVE_PERMISSION, raise_exception=True)
def entries_awaiting(request):
    """Every figure awaiting approval, oldest first: those owners entered one by one, and
    each import's as one line (a return may bring thousands). Three queries."""
    awaiting = KPIEntry.objects.filter(state=KPIEntry.State.AWAITING)
    entered = (
        awaiting.filter(batch__isnull=True)
        .select_related("kpi", "entered_by")
        .order_by("entered_at", "pk")
    )
    imported = (
        awaiting.filter(batch__isnull=False)
        .order_by()
        .values("batch")
        .annotate(
            figures=Count("pk"),
            file_name=Max("batch__file_name"),
            applied_at=Min("batch__applied_at"),
            applied_by=Max("batch__applied_by"),
            username=Max("batch__applied_by__username"),
            first_name=Max("batch__applied_by__first_name"),
            last_name=Max("batch__applied_by__last_name"),
        )
        .order_by("applied_at", "batch")
    )  # fmt: skip
    return render(
        request,
        "kpis/entries_awaiting.html",
        {"entries": list(entered), "imports": list(imported)},
    )


@require_GET
@permission_required(ENTER_PERMISSION, raise_exception=True)
def my_measures(request):
    return render(
        request,
        "kpis/my_measures.html",
        {
            "lines": due.measures_due(request.user, timezone.localdate()),
        },
    )
