"""The risk register's pages: thin views over actions/risks/queries.py and services.py.

Every role reads the register (actions.view_risk); programme administrators add, change and
import risks; a risk's owner (or an administrator) reviews it. A role that may not write is
refused (403) before anything about the risk is read."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from actions.models import Programme, Risk
from actions.permissions import READ_RISKS_PERMISSION, can_manage, can_review_risk
from actions.risks import importing, queries, services
from actions.risks.forms import RegisterFilterForm, RegisterUploadForm, ReviewForm, RiskForm

read_required = permission_required(READ_RISKS_PERMISSION, raise_exception=True)


def _programme(slug) -> Programme:
    return get_object_or_404(Programme, slug=slug)


def _managed_programme(request, slug) -> Programme:
    """403 before 404: a role that may not keep the register learns nothing about it."""
    if not can_manage(request.user):
        raise PermissionDenied
    return _programme(slug)


@require_GET
@read_required
def register(request, slug):
    programme = _programme(slug)
    policy = queries.bands()
    owners = list(queries.owners_in(programme))
    form = RegisterFilterForm(request.GET or None, owners=owners, bands=policy)
    chosen = form.cleaned_data if form.is_valid() else {}
    rows = queries.register(
        programme,
        owner_id=chosen.get("owner"),
        band_id=chosen.get("band"),
        overdue_only=chosen.get("overdue", False),
        policy=policy,
    )
    context = {
        "programme": programme,
        "rows": rows,
        "form": form,
        "filtered": bool(chosen and any(chosen.values())),
        "policy": policy,
        "can_manage": can_manage(request.user),
    }
    # A filter naming no owner or band (an old link, a hand-typed address) is named in the
    # error summary over the whole register: a 200, as the action list answers.
    return render(request, "actions/risks/register.html", context)


@require_GET
@read_required
def heat_map(request, slug):
    programme = _programme(slug)
    return render(
        request,
        "actions/risks/heat_map.html",
        {"programme": programme, "heat_map": queries.heat_map(programme)},
    )


@require_GET
@read_required
def risk_detail(request, slug, ref):
    programme = _programme(slug)
    page = queries.risk_page(programme, ref)
    context = {
        "programme": programme,
        "page": page,
        "risk": page.row.risk,
        "can_manage": can_manage(request.user),
        "can_review": can_review_risk(request.user, page.row.risk),
        "today": timezone.localdate(),
    }
    return render(request, "actions/risks/risk.html", context)


def _risk_form_page(request, programme, risk: Risk | None):
    initial = {"status": Risk.Status.OPEN}
    if risk is not None:
        initial = {
            name: getattr(risk, name)
            for name in (
                "reference",
                "title",
                "cause",
                "consequence",
                "owner",
                "inherent_likelihood",
                "inherent_impact",
                "residual_likelihood",
                "residual_impact",
                "target_score",
                "controls",
                "review_date",
                "status",
                "version",
            )
        }
        initial["owner"] = risk.owner_id
        initial["mitigating_actions"] = list(risk.mitigating_actions.values_list("pk", flat=True))
    form = RiskForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        people=queries.people_who_may_own(keeping=risk.owner_id if risk else None),
        actions=queries.programme_actions(programme, keeping=initial.get("mitigating_actions", ())),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            seen_version = data.pop("version")
            data["mitigating_actions"] = list(data["mitigating_actions"])
            try:
                saved = services.save_risk(
                    user=request.user,
                    programme=programme,
                    risk_id=risk.pk if risk else None,
                    seen_version=seen_version,
                    **data,
                )
            except services.RiskRefused as refusal:
                status = _refusal_to_form(form, refusal)
            else:
                done = "changed" if risk else "added to the register"
                messages.success(request, f"Risk {saved.reference} {done}.")
                return redirect(saved)
    context = {"form": form, "programme": programme, "risk": risk}
    return render(request, "actions/risks/risk_form.html", context, status=status)


def _refusal_to_form(form, refusal: services.RiskRefused) -> int:
    """The refusal in the form's error summary. After someone else's save the form keeps
    what was typed but carries the version stored now, so saving again applies it."""
    if isinstance(refusal, services.StaleRisk):
        form.data = form.data.copy()
        form.data["version"] = refusal.current.version
        form.full_clean()
    form.add_error(refusal.field, refusal.message)
    return refusal.status


@require_http_methods(["GET", "POST"])
def risk_new(request, slug):
    return _risk_form_page(request, _managed_programme(request, slug), None)


@require_http_methods(["GET", "POST"])
def risk_edit(request, slug, pk):
    programme = _managed_programme(request, slug)
    risk = get_object_or_404(Risk, pk=pk, programme=programme)
    return _risk_form_page(request, programme, risk)


@require_http_methods(["GET", "POST"])
def risk_review(request, slug, pk):
    """The owner's review: 403 for anyone else but an administrator, 404 for a risk of
    another programme."""
    programme = _programme(slug)
    if not request.user.has_perm(READ_RISKS_PERMISSION):
        raise PermissionDenied
    risk = get_object_or_404(Risk.objects.select_related("owner"), pk=pk, programme=programme)
    if not can_review_risk(request.user, risk):
        raise PermissionDenied
    initial = {
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "status": risk.status,
        "version": risk.version,
    }
    form = ReviewForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.review_risk(
                    user=request.user,
                    programme=programme,
                    risk_id=risk.pk,
                    seen_version=data["version"],
                    residual_likelihood=data["residual_likelihood"],
                    residual_impact=data["residual_impact"],
                    status=data["status"],
                    note=data["note"],
                    next_review_date=data["next_review_date"],
                )
            except services.RiskRefused as refusal:
                status = _refusal_to_form(form, refusal)
                if isinstance(refusal, services.StaleRisk):
                    risk = refusal.current
            else:
                messages.success(request, f"Your review of risk {risk.reference} is recorded.")
                return redirect(risk)
    context = {"form": form, "programme": programme, "risk": risk}
    return render(request, "actions/risks/review_form.html", context, status=status)


# The preview carries the rows it showed, signed, so the confirmation adds exactly those (and
# checks them again) without storing the upload, as adding people from a list does.
_SALT = "careprog.risks.import"
_MAX_AGE = 3600


@require_http_methods(["GET", "POST"])
def risk_import(request, slug):
    """Upload (POST with a file): the preview, each row with its problems by sheet and cell.
    Confirm (POST with the preview's signed rows): every risk added, or none."""
    programme = _managed_programme(request, slug)
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    rows, signed, refused = None, "", ""
    if request.method == "POST" and "register" in request.POST:
        form = RegisterUploadForm()
        try:
            kept = signing.loads(request.POST["register"], salt=_SALT, max_age=_MAX_AGE)
            if kept["user"] != request.user.pk or kept["programme"] != programme.pk:
                raise signing.BadSignature
            added = services.import_register(
                user=request.user, programme=programme, rows=kept["rows"]
            )
        except (signing.BadSignature, KeyError):
            refused = "The preview is too old: upload the register again"
        except services.RiskRefused as refusal:
            refused = refusal.message
        else:
            messages.success(request, f"{len(added)} risks added to the register")
            return redirect("actions:risk_register", slug=programme.slug)
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            read = importing.read_register(upload.read(importing.MAX_BYTES + 1))
        except importing.RegisterRejected as rejected:
            form.add_error("file", str(rejected))
        else:
            rows = importing.check_rows(programme, read)
            if not any(row.problems for row in rows):
                signed = signing.dumps(
                    {
                        "user": request.user.pk,
                        "programme": programme.pk,
                        "rows": [row.signed() for row in rows],
                    },
                    salt=_SALT,
                )
    problems = [problem for row in rows or [] for problem in row.problems]
    status = 400 if form.errors or refused or problems else 200
    context = {
        "form": form,
        "programme": programme,
        "rows": rows,
        "problems": problems,
        "signed": signed,
        "refused": refused,
    }
    return render(request, "actions/risks/import.html", context, status=status)
