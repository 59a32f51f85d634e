"""/programmes/import/: a progress table uploaded, previewed as a tree, then confirmed.

The upload is kept in storage between the preview and the confirm; the page carries only a
signed token naming the stored file, the administrator and the form's answers, so nothing the
browser sends back is trusted, and the file is read again on confirm (the same reader, the same
checks, whatever changed meanwhile)."""

import datetime as dt
import uuid

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from actions.permissions import can_manage
from careprog.periods import InvalidPeriod, ReportingPeriod

from . import excel, word
from .create import (
    SLUG_TAKEN,
    ImportRefused,
    create_programme,
    refuse_unless_creatable,
    unmatched_leads,
)
from .forms import TableUploadForm
from .reading import read_table
from .tree import TableRejected

_SALT = "actions.table_import.upload"
_MAX_AGE = 60 * 60  # an hour between preview and confirm
_FOLDER = "table-imports"
EXPIRED = "The preview is too old or was changed: upload the table again"
_FIELDS = ("name", "slug", "first_period", "last_period", "updates_period")


@require_http_methods(["GET", "POST"])
def table_import(request):
    """Upload (POST with a file): the preview. Confirm (POST with the preview's token): the
    programme created all or nothing, then its report."""
    if not can_manage(request.user):
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = TableUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # Never more than one byte over the limit into memory: the gate then refuses the file
        # with its own sentence about size.
        data = upload.read(max(excel.MAX_BYTES, word.MAX_BYTES) + 1)
        try:
            parsed = read_table(data, upload.name)
        except TableRejected as rejected:
            form.add_error("file", str(rejected))
        else:
            context |= _preview(parsed, form.cleaned_data)
            if not context["refused"]:
                context["token"] = _keep(request, data, upload.name, form.cleaned_data)
    status = 400 if form.errors or context.get("refused") else 200
    return render(request, "actions/table_import/table_import.html", context, status=status)


def _preview(parsed, cleaned: dict) -> dict:
    """What the preview shows; ``refused`` says why Confirm is not offered, in the sentence
    the confirm itself would give (the same check: create.refuse_unless_creatable). Two
    queries whatever the table's size: the leads, and the short name."""
    try:
        refuse_unless_creatable(
            parsed,
            cleaned["slug"],
            cleaned["first_period"],
            cleaned["last_period"],
            cleaned["updates_period"],
        )
    except ImportRefused as refusal:
        refused = str(refusal)
    else:
        refused = ""
    return {
        "parsed": parsed,
        "counts": parsed.counts(),
        "unmatched": unmatched_leads(parsed),
        "refused": refused,
    }


def _keep(request, data: bytes, file_name: str, cleaned: dict) -> str:
    _forget_abandoned()
    stored = default_storage.save(f"{_FOLDER}/{uuid.uuid4().hex}", ContentFile(data))
    answers = {
        key: (cleaned[key].slug if isinstance(cleaned[key], ReportingPeriod) else cleaned[key])
        for key in _FIELDS
    }
    payload = {"stored": stored, "file_name": file_name, "user": request.user.pk, **answers}
    return signing.dumps(payload, salt=_SALT)


def _forget_abandoned() -> None:
    """Delete the uploads whose preview has expired: a confirm deletes its own, but a preview
    left unconfirmed would otherwise stay in storage for good."""
    try:
        _, names = default_storage.listdir(_FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - dt.timedelta(seconds=_MAX_AGE)
    for name in names:
        path = f"{_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except FileNotFoundError:
            pass  # another request's clean-up got there first


def _confirm(request):
    form = TableUploadForm()
    try:
        kept = signing.loads(request.POST["token"], salt=_SALT, max_age=_MAX_AGE)
        if kept["user"] != request.user.pk:
            raise signing.BadSignature
        with default_storage.open(kept["stored"]) as stored:
            data = stored.read()
        periods = {
            key: ReportingPeriod.parse(kept[key]) if kept[key] else None
            for key in ("first_period", "last_period", "updates_period")
        }
    except (signing.BadSignature, KeyError, OSError, InvalidPeriod):
        return _refused(request, form, EXPIRED)
    try:
        programme = create_programme(
            parsed=read_table(data, kept["file_name"]),
            name=kept["name"],
            slug=kept["slug"],
            first_period=periods["first_period"],
            last_period=periods["last_period"],
            updates_period=periods["updates_period"],
            author=request.user,
            source=kept["file_name"],
        )
    except (TableRejected, ImportRefused) as refusal:
        return _refused(request, form, str(refusal))
    except IntegrityError:  # two confirms at once: the other took the short name first
        return _refused(request, form, SLUG_TAKEN.format(slug=kept["slug"]))
    default_storage.delete(kept["stored"])
    messages.success(request, f"{programme.name} imported from {kept['file_name']}")
    return redirect("actions:report_latest", slug=programme.slug)


def _refused(request, form, sentence):
    context = {"form": form, "refused": sentence}
    return render(request, "actions/table_import/table_import.html", context, status=400)
