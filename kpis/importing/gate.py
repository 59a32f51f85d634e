"""The file gate: an uploaded .xlsx is refused before any sheet is parsed if it is too large,
not a workbook (legacy .xls, .xlsb, .ods, anything else), password-protected, damaged, a zip
bomb or holds XML with a DOCTYPE; `WorkbookRejected` says so in one sentence.

`check_upload` makes the checks; `hardened_parser` is the only XML parser the reader uses, and
it refuses any DTD however far into a part it is hidden, so entity expansion and external
entities cannot occur. The size limit of a KPI return is read from settings in
`upload_limits()` alone: the upload form, the preview and the command line all call it.

Two limits keep every request on a return inside gunicorn's worker timeout: `MAX_ROWS` and
`MAX_CELLS`, which the reader counts as it streams (a file's size says little: 790,000 rows fit
in 7.5 MB), and `Deadline`, the time budget the loops of reading, confirming and approving check.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings


class WorkbookRejected(Exception):
    """One plain-English sentence for the administrator, e.g. 'This is a legacy .xls workbook:
    save it as .xlsx and upload it again.'"""


class WorkbookTooLarge(WorkbookRejected):
    """More rows or filled cells than one return may hold (``Limits``), found while reading."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # the upload itself
    max_uncompressed: int = 200 * 1024 * 1024  # total uncompressed size of the zip members
    max_ratio: int = 200  # uncompressed/compressed for any member
    max_members: int = 10_000  # parts in the zip (a real workbook has a few dozen)
    max_rows: int = 0  # rows over all sheets (MAX_ROWS for a return); 0: no limit
    max_cells: int = 0  # filled cells over all sheets (MAX_CELLS for a return); 0: no limit


# A return's rows and filled cells over all its sheets (headings and an instructions sheet
# included), counted as the reader streams them (a sheet's declared size can lie). At the
# limit, benchmarks/import_kpis.py --rows 99999 on 2 busy cores (load 5) on 5 December 2026:
# preview 3.3 s, confirming 7.3 s (the preview again, then 3.6 s of writes) and approving 4.4 s
# on SQLite; 7.1 s and 8.4 s on PostgreSQL: the slowest step well inside gunicorn's 30-second
# timeout, where 790,000 rows took 30.8 s to preview alone (benchmarks/README.md).
MAX_ROWS = 100_000
MAX_CELLS = 600_000  # six filled columns of MAX_ROWS rows


def upload_limits() -> Limits:
    """The limits of an uploaded KPI return: the one place KPI_IMPORT_MAX_BYTES, MAX_ROWS and
    MAX_CELLS are read."""
    return Limits(max_bytes=settings.KPI_IMPORT_MAX_BYTES, max_rows=MAX_ROWS, max_cells=MAX_CELLS)


# --- Messages (one sentence each) -------------------------------------------------------------

EMPTY = "The file is empty."
PASSWORD = (
    "This workbook is password-protected: remove the password in Excel "
    "(File > Info > Protect Workbook) and upload it again."
)
LEGACY_XLS = "This is a legacy .xls workbook: save it as .xlsx and upload it again."
XLSB = "This is a binary .xlsb workbook: save it as .xlsx and upload it again."
ODS = "This is an OpenDocument spreadsheet (.ods): save it as .xlsx and upload it again."
NOT_EXCEL = "This file is not an Excel workbook (.xlsx): save it from Excel as .xlsx and try again."
DAMAGED = (
    "This .xlsx file is damaged or incomplete: open it in Excel, save it again "
    "and upload the new copy."
)
ENCRYPTED_PARTS = "This file contains encrypted parts, so it cannot be read."
TOO_MANY_PARTS = "This file has far more parts than an Excel workbook has, so it was not opened."
FORBIDDEN_XML = (
    "This workbook contains XML features that are not allowed (a DOCTYPE or entity "
    "declaration), so it was not opened."
)
COMPRESSION = (
    "This workbook is compressed far more than a real spreadsheet would be "
    "(a possible 'zip bomb'), so it was not opened."
)


def too_many_rows(limits: Limits) -> str:
    """The row and cell limit, in the words the refusal and the template's instructions use."""
    return (
        f"A return may hold at most {limits.max_rows:,} rows and {limits.max_cells:,} filled "
        "cells, so that it is checked in time: split it into smaller files and upload each."
    )


def _too_large(limit: int) -> str:
    return f"The file is larger than the {_megabytes(limit)} MB upload limit."


def _unpacks_too_large(limit: int) -> str:
    return (
        f"This workbook unpacks to more than {_megabytes(limit)} MB, far more than a KPI "
        "return needs, so it was not opened."
    )


def damaged_sheet(name: str) -> str:
    return (
        f"The sheet '{name}' is damaged and cannot be read: open the file in Excel, "
        "save it again and upload the new copy."
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


# --- Time ----------------------------------------------------------------------------------

# Seconds a request may spend reading, checking or saving a return: gunicorn ends a worker
# after 30 (docs/operating.md), and the page still has to be drawn.
TIME_BUDGET = 20.0

# Seconds a background job may spend on one step of a large return (kpis.importing.background):
# no request waits on it, but it is still bounded, and ends in a sentence well before
# careprog.jobs calls a job that runs on stalled (STALLED_AFTER, ten minutes).
JOB_TIME_BUDGET = 300.0

TOO_SLOW = (
    "This return took longer than {seconds:g} seconds to check, so nothing was saved: split it "
    "into smaller files and upload each."
)


class Deadline:
    """When a request must stop working on a return. ``check()`` is called in the loops over
    rows and figures, every few hundred, and raises WorkbookRejected once the time is up, so
    the page answers in time with a sentence instead of the worker being killed (a 500)."""

    def __init__(self, seconds: float | None = None):
        self.seconds = TIME_BUDGET if seconds is None else seconds
        self.at = time.monotonic() + self.seconds

    def check(self, done: int = 0) -> None:
        """``done``: how many rows the caller has read so far, for a clock that reports it
        (kpis.importing.background); this one looks only at the time."""
        if time.monotonic() > self.at:
            raise WorkbookRejected(TOO_SLOW.format(seconds=self.seconds))


# --- Hardened expat --------------------------------------------------------------------------


class ForbiddenXML(Exception):
    """XML with a DTD: raised by a hardened parser wherever in a part the DTD is."""


def _refuse(*args):
    raise ForbiddenXML()


def hardened_parser(namespaces: bool = True) -> expat.XMLParserType:
    """An expat parser that refuses any DTD; namespace-aware ('uri local' names) or not."""
    parser = expat.ParserCreate(namespace_separator=" " if namespaces else None)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.NotationDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.ElementDeclHandler = _refuse
    parser.AttlistDeclHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    return parser


# --- The checks ------------------------------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SNIFF = 4096  # bytes of each XML part read before anything is parsed
_RATIO_FLOOR = 1024 * 1024  # parts smaller than this unpacked cannot be bombs: skip the ratio
_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")

# Any of these while reading a part means a broken file, never a traceback.
BROKEN = (
    expat.ExpatError,
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    IndexError,
    ValueError,
    OverflowError,
    EOFError,
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # zipfile: an encrypted member
    OSError,
    UnicodeError,
)


def check_upload(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The upload as a zip archive, once it has passed every check; WorkbookRejected if it is
    not a readable .xlsx or looks hostile.

    The checks use the zip directory's declared sizes and the first few KB of each XML part:
    nothing is unpacked beyond that, and no XML is parsed."""
    data = bytes(data)
    if not data:
        raise WorkbookRejected(EMPTY)
    if len(data) > limits.max_bytes:
        raise WorkbookRejected(_too_large(limits.max_bytes))
    if data.startswith(_OLE2):
        if any(name in data for name in _ENCRYPTED_STREAMS):
            raise WorkbookRejected(PASSWORD)
        raise WorkbookRejected(LEGACY_XLS)
    if not data.startswith(b"PK"):
        raise WorkbookRejected(NOT_EXCEL)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except BROKEN:
        raise WorkbookRejected(DAMAGED) from None
    _check_members(archive, members, limits)
    return archive


def _check_members(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits):
    if len(members) > limits.max_members:
        raise WorkbookRejected(TOO_MANY_PARTS)
    names = {info.filename.lower() for info in members}
    if len(names) != len(members):
        raise WorkbookRejected(DAMAGED)  # the same part twice: which one would Excel read?
    if any("\\" in name for name in names):
        # Part names are separated by "/" (ECMA-376 Part 2). Some zip tools on Windows write
        # a backslash instead: such a workbook is a broken package, not another kind of file.
        as_parts = {name.replace("\\", "/") for name in names}
        if {"xl/workbook.xml", "_rels/.rels"} & as_parts:
            raise WorkbookRejected(DAMAGED)
        raise WorkbookRejected(NOT_EXCEL)
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise WorkbookRejected(XLSB)
        if "mimetype" in names and b"opendocument.spreadsheet" in _head(archive, "mimetype"):
            raise WorkbookRejected(ODS)
        if "_rels/.rels" not in names:
            # Without package relationships no part can be the workbook; with them, the
            # reader finds the workbook part they name wherever it is.
            raise WorkbookRejected(NOT_EXCEL)
    if any(info.flag_bits & 0x1 for info in members):
        raise WorkbookRejected(ENCRYPTED_PARTS)
    total = sum(info.file_size for info in members)
    if total > limits.max_uncompressed:
        raise WorkbookRejected(_unpacks_too_large(limits.max_uncompressed))
    for info in members:
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise WorkbookRejected(COMPRESSION)
    for info in members:
        if info.filename.lower().endswith(_XML_SUFFIXES):
            head = _head(archive, info)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:2] == b"\x00":
                head = head.replace(b"\x00", b"")  # UTF-16: good enough to find ASCII markup
            head = head.upper()
            if any(markup in head for markup in _FORBIDDEN_MARKUP):
                raise WorkbookRejected(FORBIDDEN_XML)


def _head(archive: zipfile.ZipFile, member, size: int = _SNIFF) -> bytes:
    """The first `size` bytes of a member, decompressing no more than that (and a buffer)."""
    try:
        with archive.open(member) as stream:
            return stream.read(size)
    except BROKEN:
        raise WorkbookRejected(DAMAGED) from None
