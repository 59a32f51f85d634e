"""The streaming .xlsx reader, behind the gate (kpis.importing.gate).

`open_workbook(data)` passes the upload through the gate and returns a `Workbook` that reads
sheets lazily; `Sheet.rows()` streams the non-empty cells of each row with what the import
rules need: the value, its kind (number, text, bool, date, error, formula without a saved
value) and whether the cell's number format shows a percentage.

The parser is Python's expat (C) with handler callbacks, from the gate's `hardened_parser`.
Nothing in the file is ever executed: macros (xl/vbaProject.bin) are never read, and formulas
are not evaluated (their saved result is used).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from kpis.importing.gate import (
    BROKEN,
    DAMAGED,
    FORBIDDEN_XML,
    NOT_EXCEL,
    XLSB,
    ForbiddenXML,
    Limits,
    WorkbookRejected,
    WorkbookTooLarge,
    check_upload,
    damaged_sheet,
    hardened_parser,
    too_many_rows,
    upload_limits,
)

__all__ = [
    "Cell",
    "Sheet",
    "Workbook",
    "cell_ref",
    "column_letters",
    "open_workbook",
]


class Cell(NamedTuple):
    column: int  # 1-based
    value: object  # float | str | bool | datetime.datetime | datetime.time | None
    kind: str  # "number", "text", "bool", "date", "time", "error", "formula_without_value"
    percent: bool  # the cell's number format shows a percentage (e.g. '0%', '0.0%')


# --- Cell references -------------------------------------------------------------------------

_LETTERS: dict[int, str] = {}


def column_letters(column: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    letters = _LETTERS.get(column)
    if letters is None:
        if column < 1:
            raise ValueError(f"column {column} is not 1 or more")
        out, n = "", column
        while n:
            n, rem = divmod(n - 1, 26)
            out = chr(65 + rem) + out
        letters = _LETTERS[column] = out
    return letters


def cell_ref(row: int, column: int) -> str:
    """cell_ref(14, 3) -> 'C14'."""
    return f"{column_letters(column)}{row}"


_COLUMN_OF: dict[str, int] = {}
_DIGITS = "0123456789"
MAX_COLUMN = 16_384  # XFD
MAX_ROW = 1_048_576


def _column_index(letters: str) -> int:
    """'A' -> 1, 'ab' -> 28; ValueError if it is not a column within Excel's limits."""
    column = _COLUMN_OF.get(letters)
    if column is None:
        if not letters or len(letters) > 3 or not letters.isascii() or not letters.isalpha():
            raise ValueError(f"{letters!r} is not a column")
        column = 0
        for char in letters.upper():
            column = column * 26 + ord(char) - 64
        if column > MAX_COLUMN:
            raise ValueError(f"{letters!r} is beyond Excel's last column")
        _COLUMN_OF[letters] = column
    return column


def _split_ref(ref: str) -> tuple[int, int]:
    """'C14' -> (14, 3)."""
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    if not digits.isdigit() or not 1 <= int(digits) <= MAX_ROW:
        raise ValueError(f"{ref!r} is not a cell reference")
    return int(digits), _column_index(letters.lstrip("$").replace("$", ""))


def _range(ref: str) -> tuple[int, int, int, int]:
    """'A1:C2' -> (1, 1, 2, 3); a single cell is a range of one."""
    first, _, last = ref.strip().partition(":")
    min_row, min_col = _split_ref(first)
    max_row, max_col = _split_ref(last) if last else (min_row, min_col)
    return (
        min(min_row, max_row),
        min(min_col, max_col),
        max(min_row, max_row),
        max(min_col, max_col),
    )


# --- Number formats --------------------------------------------------------------------------

# Built-in format ids (ECMA-376 18.8.30): dates and times, and percentages.
BUILTIN_DATE_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
BUILTIN_PERCENT_IDS = frozenset({9, 10})

PLAIN, PERCENT, DATE = 0, 1, 2

# What does not count when looking for date tokens or '%': quoted text, escaped characters
# (\x), padding (_x) and fill (*x), and bracketed sections ([Red], [$-409], [>=100]) except
# elapsed-time ones ([h], [mm], [ss]).
_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKETS = re.compile(r"\[(?![hms]+\])[^\]]*\]", re.IGNORECASE)
_DATE_TOKEN = re.compile(r"[dmyhs]", re.IGNORECASE)


def format_kind(num_fmt_id: int, code: str | None) -> int:
    """PLAIN, PERCENT or DATE for a number format (a built-in id, or a custom code)."""
    if code is None:
        if num_fmt_id in BUILTIN_DATE_IDS:
            return DATE
        if num_fmt_id in BUILTIN_PERCENT_IDS:
            return PERCENT
        return PLAIN
    bare = _BRACKETS.sub("", _LITERALS.sub("", code))
    if "%" in bare:
        return PERCENT
    if _DATE_TOKEN.search(bare):
        return DATE
    return PLAIN


# --- Dates -----------------------------------------------------------------------------------

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def excel_datetime(serial: float, date1904: bool = False) -> dt.datetime:
    """An Excel serial date as a datetime, to the millisecond.

    1900 system: day 1 is 1 January 1900 and Excel counts a 29 February 1900 that never was
    (Lotus 1-2-3's bug), so serials before 60 are a day later than a plain count from
    30 December 1899 (as openpyxl's from_excel). 1904 system: day 0 is 1 January 1904.
    A time alone (a serial under 1) falls on the system's day 0.
    Raises ValueError for serials that are not a date Excel can show.
    """
    if not 0 <= serial < 2_958_466:  # 31 December 9999 is the last date Excel shows
        raise ValueError(f"{serial!r} is not an Excel date")
    if date1904:
        epoch = _EPOCH_1904
    else:
        epoch = _EPOCH_1900
        if serial < 60:
            serial += 1
    days, fraction = divmod(serial, 1)
    return epoch + dt.timedelta(days=days, milliseconds=round(fraction * 86_400_000))


def _iso_value(text: str) -> tuple[dt.datetime | dt.time, str]:
    """A t="d" cell's ISO 8601 text: a date and time, a date alone (as midnight) or a time
    alone (ECMA-376 allows all three), with its kind; the zone is dropped, as Excel shows
    the time written. ValueError for text that is none of them."""
    text = text.strip().removesuffix("Z").removesuffix("z")
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None), "date"
    except ValueError:
        return dt.time.fromisoformat(text).replace(tzinfo=None), "time"


# --- Feeding expat ---------------------------------------------------------------------------

_CHUNK = 1 << 16  # bytes of XML fed to expat at a time


def _feed(parser, stream) -> Iterator[None]:
    """Feed a zip member to the parser chunk by chunk, yielding after each chunk."""
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _parse_small(stream, start=None, end=None, chars=None) -> None:
    parser = hardened_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    for _ in _feed(parser, stream):
        pass


# --- Namespaces, relationship types ----------------------------------------------------------

_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML
)
_OFFICE_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _names(local: str) -> frozenset[str]:
    return frozenset(f"{ns} {local}" for ns in _MAIN)


_REL_ID = frozenset(f"{ns} id" for ns in _OFFICE_REL)


def _rel_kind(rel_type: str) -> str:
    return rel_type.rsplit("/", 1)[-1]


# --- Opening a workbook ----------------------------------------------------------------------


def open_workbook(data: bytes, limits: Limits | None = None) -> Workbook:
    """A checked, lazily-read workbook; WorkbookRejected if the gate refuses the file or its
    workbook part is broken. Without ``limits``, those of an uploaded KPI return.

    Only the workbook part and its relationships are parsed here. Sheets, styles and shared
    strings are parsed when a sheet is read (errors then also raise WorkbookRejected)."""
    limits = limits or upload_limits()
    archive = check_upload(data, limits)
    try:
        return Workbook(archive, limits)
    except ForbiddenXML:
        raise WorkbookRejected(FORBIDDEN_XML) from None
    except BROKEN:
        raise WorkbookRejected(DAMAGED) from None


# --- Workbook --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SheetEntry:
    name: str
    part: str
    hidden: bool


class Workbook:
    """A checked .xlsx; sheets are parsed only when read.

    sheet_names: the worksheets in workbook order, hidden ones included (chart sheets,
    which hold no cells, are left out); hidden_sheets: those of them that are hidden;
    date1904: the workbook counts dates from 1904 (old Mac Excel); has_macros: the file is
    macro-enabled (.xlsm): its macros are never read, let alone run."""

    sheet_names: list[str]
    hidden_sheets: frozenset[str]
    date1904: bool
    has_macros: bool

    def __init__(self, archive: zipfile.ZipFile, limits: Limits | None = None):
        self._archive = archive
        limits = limits or upload_limits()
        # Rows and filled cells still allowed, over every sheet read (the row/cell limit).
        self._left = [limits.max_rows or 1 << 62, limits.max_cells or 1 << 62]
        self._too_many = too_many_rows(limits)
        self._parts = {info.filename.lower(): info for info in archive.infolist()}
        self.has_macros = "xl/vbaproject.bin" in self._parts  # never read, never run
        workbook_part = self._main_part()
        rels = self._relationships(workbook_part)
        self._entries = self._read_workbook(workbook_part, rels)
        self.sheet_names = [entry.name for entry in self._entries]
        self.hidden_sheets = frozenset(entry.name for entry in self._entries if entry.hidden)
        self._styles_part = next((t for k, t in rels.values() if k == "styles"), None)
        self._strings_part = next((t for k, t in rels.values() if k == "sharedStrings"), None)
        self._formats: dict[str | None, int] | None = None
        self._strings: list[str] | None = None
        self._sheets: dict[str, Sheet] = {}

    def __repr__(self):
        return f"<Workbook {self.sheet_names!r}{' 1904' if self.date1904 else ''}>"

    # Parts ----------------------------------------------------------------------------------

    def _open(self, part: str):
        return self._archive.open(self._parts[part.lower()])

    def _has(self, part: str) -> bool:
        return part.lower() in self._parts

    def _main_part(self) -> str:
        """The workbook part the package's relationships name (ECMA-376 Part 2: the
        officeDocument relationship of _rels/.rels). Excel puts it at xl/workbook.xml, which
        is taken if the relationships name no part; other writers may put it elsewhere."""
        named = [
            target for kind, target in self._relationships("").values() if kind == "officeDocument"
        ]
        for target in named:
            if target.lower().endswith(".bin"):
                raise WorkbookRejected(XLSB)
            if self._has(target):
                return target
        if self._has("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise WorkbookRejected(DAMAGED if named else NOT_EXCEL)

    def _relationships(self, source: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (kind, part) for a part's internal relationships."""
        folder, name = posixpath.split(source)
        rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
        found: dict[str, tuple[str, str]] = {}
        if not self._has(rels_part):
            return found
        tag = f"{_PACKAGE_REL} Relationship"

        def start(name, attrs):
            if name == tag and attrs.get("TargetMode", "Internal") == "Internal":
                target = attrs.get("Target", "")
                if target.startswith("/"):
                    path = target.lstrip("/")
                else:
                    path = posixpath.normpath(posixpath.join(folder, target))
                found[attrs.get("Id", "")] = (_rel_kind(attrs.get("Type", "")), path)

        with self._open(rels_part) as stream:
            _parse_small(stream, start)
        return found

    def _read_workbook(self, part, rels) -> list[_SheetEntry]:
        sheet_tags, pr_tags = _names("sheet"), _names("workbookPr")
        workbook_tags = _names("workbook")
        entries: list[_SheetEntry] = []
        roots: list[str] = []
        self.date1904 = False

        def start(name, attrs):
            if not roots:
                roots.append(name)
                if name not in workbook_tags:  # e.g. a Word document's main part
                    raise WorkbookRejected(NOT_EXCEL)
            if name in sheet_tags:
                rel = next((v for k, v in attrs.items() if k in _REL_ID), None)
                kind, target = rels[rel]  # KeyError: a sheet with no part is a damaged file
                if kind == "worksheet":  # chart, dialog and macro sheets hold no cells
                    if not self._has(target):
                        raise KeyError(target)
                    hidden = attrs.get("state", "visible") != "visible"
                    entries.append(_SheetEntry(attrs.get("name", ""), target, hidden))
            elif name in pr_tags:
                self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")

        with self._open(part) as stream:
            _parse_small(stream, start)
        return entries

    def _number_formats(self) -> dict[str | None, int]:
        """A cell's s attribute (as written, None for none) -> PLAIN, PERCENT or DATE."""
        if self._formats is not None:
            return self._formats
        codes: dict[int, str] = {}
        xf_ids: list[int] = []
        num_fmt, num_fmts, xf, cell_xfs = (
            _names("numFmt"),
            _names("numFmts"),
            _names("xf"),
            _names("cellXfs"),
        )
        where = {"numFmts": False, "cellXfs": False}

        def start(name, attrs):
            if name in num_fmt and where["numFmts"]:
                codes[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif name in xf and where["cellXfs"]:
                xf_ids.append(int(attrs.get("numFmtId", "0")))
            elif name in num_fmts:
                where["numFmts"] = True
            elif name in cell_xfs:
                where["cellXfs"] = True

        def end(name):
            if name in num_fmts:
                where["numFmts"] = False
            elif name in cell_xfs:
                where["cellXfs"] = False

        if self._styles_part and self._has(self._styles_part):
            with self._open(self._styles_part) as stream:
                _parse_small(stream, start, end)
        kinds = {
            str(index): format_kind(fmt_id, codes.get(fmt_id))
            for index, fmt_id in enumerate(xf_ids)
        }
        kinds[None] = kinds.get("0", PLAIN)
        self._formats = kinds
        return kinds

    def _shared_strings(self) -> list[str]:
        if self._strings is not None:
            return self._strings
        strings: list[str] = []
        if self._strings_part and self._has(self._strings_part):
            strings = _read_strings(self._open(self._strings_part))
        self._strings = strings
        return strings

    # Public ---------------------------------------------------------------------------------

    def sheet(self, name: str) -> Sheet:
        """The sheet called `name`; KeyError if there is none (see sheet_names)."""
        if name not in self._sheets:
            entry = next((e for e in self._entries if e.name == name), None)
            if entry is None:
                raise KeyError(f"The workbook has no sheet called '{name}'.")
            self._sheets[name] = Sheet(self, entry)
        return self._sheets[name]


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Excel writes characters XML cannot hold as _xHHHH_ (and a literal '_x' as _x005F_x).
    NUL and lone surrogates, which no database column takes, become U+FFFD."""
    return _ESCAPE.sub(_escaped_char, text) if "_x" in text else text


def _escaped_char(match: re.Match) -> str:
    code = int(match[1], 16)
    return "\ufffd" if code == 0 or 0xD800 <= code <= 0xDFFF else chr(code)


def _read_strings(stream) -> list[str]:
    """The shared-string table: each <si>'s text, rich-text runs joined, phonetic runs left out."""
    si, t, rph = _names("si"), _names("t"), _names("rPh")
    strings: list[str] = []
    parts: list[str] = []
    state = {"text": False, "rph": False}

    def start(name, attrs):
        if name in t:
            state["text"] = not state["rph"]
        elif name in si:
            parts.clear()
        elif name in rph:
            state["rph"] = True

    def end(name):
        if name in t:
            state["text"] = False
        elif name in si:
            strings.append(_unescape("".join(parts)))
        elif name in rph:
            state["rph"] = False

    def chars(data):
        if state["text"]:
            parts.append(data)

    with stream:
        _parse_small(stream, start, end, chars)
    return strings


# --- Sheets ----------------------------------------------------------------------------------


class Sheet:
    """One worksheet. `rows()` streams it; `merged` is known once the sheet has been read to
    the end (merged ranges follow the cells in the XML), so reading it earlier reads the sheet
    once more for the ranges alone (a fast pass: expat calls no Python until the ranges)."""

    def __init__(self, workbook: Workbook, entry: _SheetEntry):
        self._workbook = workbook
        self._entry = entry
        self.name = entry.name
        self.hidden = entry.hidden
        self._merged: list[tuple[int, int, int, int]] | None = None

    def __repr__(self):
        return f"<Sheet {self.name!r}>"

    @property
    def merged(self) -> list[tuple[int, int, int, int]]:
        """Merged ranges as (min_row, min_col, max_row, max_col), 1-based."""
        if self._merged is None:
            try:
                self._merged = self._read_merged()
            except ForbiddenXML:
                raise WorkbookRejected(FORBIDDEN_XML) from None
            except BROKEN:
                raise WorkbookRejected(damaged_sheet(self.name)) from None
        return list(self._merged)

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, non-empty cells of that row in column order), in document order.

        Rows with no non-empty cell (only styled cells, or none) are left out."""
        book = self._workbook
        try:
            parser = hardened_parser(namespaces=False)
            formats = book._number_formats()
            strings = book._shared_strings()
            batch, merged = _sheet_handlers(
                parser, formats, strings, book.date1904, book._left, book._too_many
            )
            with book._open(self._entry.part) as stream:
                for _ in _feed(parser, stream):
                    if batch:
                        done = batch[:]
                        batch.clear()
                        yield from done
        except ForbiddenXML:
            raise WorkbookRejected(FORBIDDEN_XML) from None
        except BROKEN:
            raise WorkbookRejected(damaged_sheet(self.name)) from None
        self._merged = merged

    def _read_merged(self) -> list[tuple[int, int, int, int]]:
        """The merged ranges, from a pass in which expat calls Python only for the root
        element and for the chunks from the first one holding the bytes 'mergeCell' on (so
        the rows, thousands of elements, are parsed, checked and skipped in C)."""
        parser = hardened_parser(namespaces=False)
        merged: list[tuple[int, int, int, int]] = []
        merge_cell = ""
        watching = False

        def start(name, attrs):
            if name == merge_cell:
                merged.append(_range(attrs["ref"]))

        def root(name, attrs):
            nonlocal merge_cell
            merge_cell = _root_prefix(name, attrs) + "mergeCell"
            parser.StartElementHandler = start if watching else None

        parser.StartElementHandler = root
        marker = b"mergeCell"
        with self._workbook._open(self._entry.part) as stream:
            chunk = stream.read(_CHUNK)
            # A byte search only works if the text is ASCII-compatible: otherwise watch it all.
            watching = not _ascii_compatible(chunk)
            previous = b""
            while chunk:
                if not watching and (marker in chunk or marker in previous[-16:] + chunk[:16]):
                    watching = True
                    if merge_cell:
                        parser.StartElementHandler = start
                parser.Parse(chunk, False)
                previous, chunk = chunk, stream.read(_CHUNK)
            parser.Parse(b"", True)
        return merged


_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


def _ascii_compatible(head: bytes) -> bool:
    """Whether ASCII text (element names) appears as the same bytes in this XML."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        return False  # UTF-16 or UTF-32
    match = _ENCODING.match(head)
    if not match:
        return True  # UTF-8
    try:
        return "mergeCell".encode(match[1].decode("ascii")) == b"mergeCell"
    except (LookupError, UnicodeError):
        return False


def _root_prefix(name: str, attrs: dict[str, str]) -> str:
    """The prefix ('' as a rule, or e.g. 'x:') of a <worksheet> root element in the
    spreadsheet namespace; ValueError for any other root."""
    prefix, _, local = name.rpartition(":")
    namespace = attrs.get(f"xmlns:{prefix}" if prefix else "xmlns")
    if local != "worksheet" or namespace not in _MAIN:
        raise ValueError("not a worksheet")
    return f"{prefix}:" if prefix else ""


def _sheet_handlers(
    parser,
    formats: dict[str | None, int],
    strings: list[str],
    date1904: bool,
    left: list[int],
    too_many: str,
) -> tuple[list, list]:
    """Set expat handlers that turn <row>/<c> elements into (row number, [Cell, ...]) in
    `batch`, and merged ranges into `merged`; returns (batch, merged).

    ``left`` is [rows, filled cells] the workbook may still hold: every <row> element counts,
    empty or not (a sheet formatted down to its last row is as slow to read as a full one),
    and WorkbookTooLarge(``too_many``) stops the parse as soon as either runs out.

    This is the hot path: expat calls a start, an end and a text handler per element, so
    everything they need is a closure variable, cells are built without NamedTuple's Python
    __new__, and the parser runs without namespace processing: element names are compared
    with the prefix the root <worksheet> element uses (none, as a rule)."""
    C = V = ROW = F = IS = T = RPH = MERGE_CELL = ""
    batch: list[tuple[int, list[Cell]]] = []
    merged: list[tuple[int, int, int, int]] = []
    dates: dict[float, dt.datetime | None] = {}
    column_of = _COLUMN_OF
    new = tuple.__new__
    fmt_of = formats.get
    percent = frozenset(key for key, kind in formats.items() if kind == PERCENT)

    row_number = 0
    row: list[Cell] = []
    add = row.append
    unsorted = False
    column = 0
    ctype = None
    style = None
    text: str | None = None  # the <v> text; None while the cell has no <v>
    in_text = False
    has_f = False
    inline: list[str] | None = None  # the <is> runs of an inline string
    in_rph = False

    def start(name, attrs):
        nonlocal row_number, row, add, unsorted, column, ctype, style, text, in_text
        nonlocal has_f, inline, in_rph
        if name == C:
            ref = attrs.get("r")
            if ref is None:
                column += 1
            else:
                letters = ref.rstrip(_DIGITS)
                found = column_of.get(letters)
                if found is None:
                    found = _column_index(letters)
                if found <= column:
                    unsorted = True
                column = found
            ctype = attrs.get("t")
            style = attrs.get("s")
            text = inline = None
            has_f = False
        elif name == V:
            in_text = True
            text = ""
        elif name == IS:
            inline = []
            in_rph = False
        elif name == T:
            if inline is not None and not in_rph:
                in_text = True
                text = ""
        elif name == ROW:
            left[0] -= 1
            if left[0] < 0:
                raise WorkbookTooLarge(too_many)
            number = attrs.get("r")
            row_number = int(number) if number else row_number + 1
            row = []
            add = row.append
            unsorted = False
            column = 0
        elif name == F:
            has_f = True
        elif name == RPH:
            in_rph = True
        elif name == MERGE_CELL:
            merged.append(_range(attrs["ref"]))

    def end(name):
        nonlocal in_text, text
        if name == C:
            if inline is not None:
                add(new(Cell, (column, _unescape("".join(inline)), "text", style in percent)))
            elif text:
                if ctype is None or ctype == "n":
                    number = float(text)
                    fmt = fmt_of(style, PLAIN)
                    if number - number != 0:  # inf or nan: not a number Excel writes
                        add(new(Cell, (column, text, "error", False)))
                    elif fmt == PLAIN:
                        add(new(Cell, (column, number, "number", False)))
                    elif fmt == PERCENT:
                        add(new(Cell, (column, number, "number", True)))
                    else:
                        when = dates.get(number, False)
                        if when is False:
                            try:
                                when = excel_datetime(number, date1904)
                            except (ValueError, OverflowError):
                                when = None
                            dates[number] = when
                        if when is None:  # not a date Excel can show: leave it a number
                            add(new(Cell, (column, number, "number", False)))
                        else:
                            add(new(Cell, (column, when, "date", False)))
                elif ctype == "s":
                    index = int(text)
                    if index < 0:
                        raise IndexError(index)
                    add(new(Cell, (column, strings[index], "text", style in percent)))
                elif ctype == "str" or ctype == "inlineStr":  # inlineStr with a <v>: lenient
                    add(new(Cell, (column, _unescape(text), "text", style in percent)))
                elif ctype == "b":
                    value = text.strip().lower() in ("1", "true")
                    add(new(Cell, (column, value, "bool", style in percent)))
                elif ctype == "e":
                    add(new(Cell, (column, text, "error", style in percent)))
                elif ctype == "d":  # ISO 8601 (rare: Excel itself writes serial numbers)
                    add(new(Cell, (column, *_iso_value(text), False)))
                else:
                    raise ValueError(f"unknown cell type {ctype!r}")
            elif has_f:
                if text is not None and ctype == "str":  # the formula's result is ""
                    add(new(Cell, (column, "", "text", style in percent)))
                else:
                    add(new(Cell, (column, None, "formula_without_value", style in percent)))
        elif name == V:
            in_text = False
        elif name == T:
            if in_text:
                inline.append(text)
                in_text = False
                text = None
        elif name == ROW:
            if row:
                left[1] -= len(row)
                if left[1] < 0:
                    raise WorkbookTooLarge(too_many)
                if unsorted:
                    row.sort(key=_by_column)
                batch.append((row_number, row))
        elif name == RPH:
            pass  # phonetic runs come last in an inline string: stay ignored until </c>

    def chars(data):
        nonlocal text
        if in_text:
            text += data

    def root(name, attrs):
        """The first element: the worksheet, whose prefix the other element names share."""
        nonlocal C, V, ROW, F, IS, T, RPH, MERGE_CELL
        prefix = _root_prefix(name, attrs)
        C, V, ROW, F, IS, T, RPH, MERGE_CELL = names = [
            prefix + tag for tag in ("c", "v", "row", "f", "is", "t", "rPh", "mergeCell")
        ]
        for tag in names:  # expat hands back these very objects: == is then an identity test
            parser.intern[tag] = tag
        parser.StartElementHandler = start

    parser.StartElementHandler = root
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    return batch, merged


_by_column = itemgetter(0)
