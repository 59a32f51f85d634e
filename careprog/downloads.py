"""Every file careprog sends as a download is named in one order, so that a folder of them
sorts by programme, then quarter, then what each is:

    <programme>-<quarter>-<what>[-<date>][-draft].<extension>

e.g. care-programme-2024-25-2024-25-q3-paper-2025-03-05.pdf (a paper to the meeting of
5 March 2025), care-programme-2024-25-2024-25-q3-report-2026-12-05.xlsx (the live report,
as downloaded that day), my-actions-2026-12-05.csv. Parts a file has no use for are left
out. Names are ASCII (slugs), so no browser or mail system mangles them."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.text import slugify

from careprog.periods import ReportingPeriod


def download_name(
    what: str,
    extension: str,
    *,
    programme: str = "",
    period: ReportingPeriod | None = None,
    on: dt.date | str | None = None,
    draft: bool = False,
) -> str:
    """The file's name: ``programme`` is a slug or a name, ``on`` the date the file is of
    (a paper's meeting, or the day live data was read) as a date or ISO text."""
    date = on.isoformat() if isinstance(on, dt.date) else (on or "")
    parts = [programme, period.slug if period else "", what, date, "draft" if draft else ""]
    return "-".join(slugify(part) for part in parts if part) + f".{extension}"


def attachment(response: HttpResponse, name: str) -> HttpResponse:
    """``response`` as a download named ``name`` (one of download_name())."""
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
