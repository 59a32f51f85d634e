"""The forward plan's pages: the committees and their meetings that papers are written for.

Every reader reads the plan (a committee member sees published papers only, as everywhere);
only those with the committee and meeting model permissions (Programme administrators) add,
change or delete. Every object is fetched through one helper here: 403 for a role that
reads nothing or may not write, 404 for an object that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from actions.models import Committee, Meeting
from actions.papers import forward_plan as plan_services
from actions.papers import queries
from actions.papers.forms import CommitteeForm, MeetingForm
from actions.permissions import (
    can_add_committee,
    can_add_meeting,
    can_approve_paper,
    can_change_committee,
    can_change_meeting,
    can_delete_meeting,
    can_draft_paper,
    can_read,
)


def _require(request, may) -> None:
    if not can_read(request.user) or not may(request.user):
        raise PermissionDenied


def _get_committee_for_user(request, pk, *, may) -> Committee:
    _require(request, may)
    return get_object_or_404(Committee, pk=pk)


def _get_meeting_for_user(request, pk, *, may) -> Meeting:
    _require(request, may)
    return queries.meeting_with_papers(pk)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _safe_next(request, url: str | None) -> str | None:
    """A page of this service to return to, or None: never another site."""
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


def _refusal_to_form(form, refusal: plan_services.PlanRefused):
    """The form again, with the refusal in its error summary and status. After someone
    else's save it keeps what was typed but carries the version stored now, so that saving
    again, having read the message, applies it."""
    if isinstance(refusal, plan_services.StalePlan):
        data = form.data.copy()
        data["version"] = refusal.current.version
        form = type(form)(data, initial=form.initial)
        form.is_valid()
    form.add_error(refusal.field, refusal.message)
    return form, refusal.status


@require_GET
def forward_plan(request):
    _require(request, can_read)
    user = request.user
    plans = queries.forward_plan(
        today=timezone.localdate(), drafts_too=can_draft_paper(user) or can_approve_paper(user)
    )
    return render(
        request,
        "actions/papers/forward_plan.html",
        {
            "plans": plans,
            "can_add_committee": can_add_committee(user),
            "can_change_committee": can_change_committee(user),
            "can_add_meeting": can_add_meeting(user),
            "can_change_meeting": can_change_meeting(user),
            "can_delete_meeting": can_delete_meeting(user),
        },
    )


def _committee_page(request, committee: Committee | None):
    initial = (
        {"name": committee.name, "version": committee.version, "kind": committee.kind}
        if committee
        else {}
    )
    form = CommitteeForm(_posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = plan_services.save_committee(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"] or None,
                    committee_id=committee.pk if committee else None,
                    seen_version=form.cleaned_data["version"],
                )
            except plan_services.PlanRefused as refusal:
                form, status = _refusal_to_form(form, refusal)
            else:
                done = "changed" if committee else "added"
                messages.success(request, f"The committee “{saved.name}” has been {done}.")
                return redirect(saved)
    return render(
        request,
        "actions/papers/committee_form.html",
        {"form": form, "committee": committee},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def committee_new(request):
    _require(request, can_add_committee)
    return _committee_page(request, None)


@require_http_methods(["GET", "POST"])
def committee_edit(request, pk):
    return _committee_page(request, _get_committee_for_user(request, pk, may=can_change_committee))


def _meeting_page(request, meeting: Meeting | None):
    if meeting is not None:
        initial = {
            "committee": meeting.committee_id,
            "date": meeting.date.isoformat(),
            "agenda_item": meeting.agenda_item,
            "version": meeting.version,
        }
    else:
        initial = {"committee": request.GET.get("committee", ""), "next": request.GET.get("next")}
    form = MeetingForm(_posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = plan_services.save_meeting(
                    user=request.user,
                    committee=data["committee"],
                    date=data["date"],
                    agenda_item=data["agenda_item"],
                    meeting_id=meeting.pk if meeting else None,
                    seen_version=data["version"],
                )
            except plan_services.PlanRefused as refusal:
                form, status = _refusal_to_form(form, refusal)
            else:
                done = "changed" if meeting else "added"
                messages.success(request, f"The meeting {saved} has been {done}.")
                back = _safe_next(request, data["next"])
                if back and "?" not in back:
                    return redirect(f"{back}?meeting={saved.pk}")  # chosen on return
                return redirect(back or saved)
    return render(
        request,
        "actions/papers/meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "back": _safe_next(request, form["next"].value()) or reverse("actions:forward_plan"),
            "no_committees": not Committee.objects.exists(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def meeting_new(request):
    _require(request, can_add_meeting)
    return _meeting_page(request, None)


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    return _meeting_page(request, _get_meeting_for_user(request, pk, may=can_change_meeting))


@require_http_methods(["GET", "POST"])
def meeting_delete(request, pk):
    """A meeting with papers cannot be deleted: the page names them, and so does a refused
    POST, which changes nothing."""
    meeting = _get_meeting_for_user(request, pk, may=can_delete_meeting)
    refusal, status = None, 200
    if request.method == "POST":
        try:
            plan_services.delete_meeting(user=request.user, meeting_id=meeting.pk)
        except plan_services.PlanRefused as refused:
            refusal, status = refused.message, refused.status
        else:
            messages.success(request, f"The meeting {meeting} has been deleted.")
            return redirect("actions:forward_plan")
    return render(
        request,
        "actions/papers/meeting_delete.html",
        {"meeting": meeting, "papers": meeting.papers.all(), "refusal": refusal},
        status=status,
    )
