"""LAIT's files -> plain records. Nothing here touches the database.

Four kinds of file, recognised by content rather than name (`identify`):

- the data ("big data set", long format): CSV, gzipped CSV or parquet with the columns
  Short Desc, Years, LA and Regions, Values, LA Number, and as a rule Region (an LA's region),
  so that it names every area it holds. `iter_data_rows` streams it row by row
  (csv module over gzip: the whole file is never in memory). Parquet needs pyarrow, which is
  optional: without it a parquet file is refused with a message saying to use the CSV.
- the data dictionary (CSV with Measure_short, Measure, Year_Type...): `read_dictionary`.
- DfE's statistical neighbours workbook (a header row with SN1..SN10, below two rows of column
  letters and numbers): `read_neighbours`.
- the LA code list workbook (LA Number, LA Name, Region, Type): `read_la_list`.

Workbooks go through kpis.importing.reader, behind the same gate (kpis.importing.gate) as
uploaded KPI returns (zip bombs, DOCTYPEs, damaged files refused with one sentence).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import gzip
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from kpis.importing.gate import Limits, WorkbookRejected
from kpis.importing.reader import excel_datetime, open_workbook
from kpis.lait.periods import year_type_from_text
from kpis.models import Area, BenchmarkIndicator

__all__ = [
    "AreaRecord",
    "area_from_data",
    "BadValue",
    "DictionaryResult",
    "FileKind",
    "IndicatorRecord",
    "LaitFile",
    "LaitFileError",
    "NeighbourRecord",
    "identify",
    "iter_data_rows",
    "parse_value",
    "pyarrow_available",
    "read_dictionary",
    "read_la_list",
    "read_neighbours",
]


class LaitFileError(Exception):
    """One sentence saying which file cannot be used and why."""


class BadValue(ValueError):
    """A Values cell that is neither a number nor a suppression marker."""


class FileKind(enum.StrEnum):
    DATA = "data"
    DICTIONARY = "dictionary"
    NEIGHBOURS = "statistical neighbours"
    LA_LIST = "LA code list"


@dataclass(frozen=True)
class LaitFile:
    path: Path
    kind: FileKind
    format: str  # "csv", "csv.gz", "parquet", "xlsx"


# --- Recognising a file ----------------------------------------------------------------------

DATA_COLUMNS = ("Short Desc", "Years", "LA and Regions", "LA Number", "Values")  # as DataRow
REGION_COLUMN = "Region"  # DataRow's last field; "" where a file has no such column
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
_ZIP_MAGIC = b"PK"
_WORKBOOK_LIMITS = Limits(max_bytes=20 * 1024 * 1024)
_HEADER_SEARCH_ROWS = 10


def identify(path: Path) -> LaitFile:
    """What `path` holds, from its first bytes and its header; LaitFileError if it cannot be
    read or is none of LAIT's files."""
    head = _head(path, 8)
    if head.startswith(_PARQUET_MAGIC) or path.name.lower().endswith(".parquet"):
        return LaitFile(path, FileKind.DATA, "parquet")
    if head.startswith(_ZIP_MAGIC):
        rows = _workbook_rows(path, limit=_HEADER_SEARCH_ROWS)
        if _neighbours_header(rows) is not None:
            return LaitFile(path, FileKind.NEIGHBOURS, "xlsx")
        if _la_list_header(rows) is not None:
            return LaitFile(path, FileKind.LA_LIST, "xlsx")
        raise LaitFileError(
            f"{path.name} is a workbook but neither DfE's statistical neighbours (SN1..SN10) "
            "nor the LA code list (LA Number, LA Name)."
        )
    fmt = "csv.gz" if head.startswith(_GZIP_MAGIC) else "csv"
    with _open_text(path, fmt) as stream:
        try:
            header = [_clean_header(name) for name in next(csv.reader(stream), [])]
        except (UnicodeDecodeError, csv.Error, OSError, EOFError, zlib.error) as error:
            raise LaitFileError(f"{path.name} is not a readable CSV file ({error}).") from None
    if all(column in header for column in DATA_COLUMNS):
        return LaitFile(path, FileKind.DATA, fmt)
    if "Measure_short" in header and "Year_Type" in header:
        return LaitFile(path, FileKind.DICTIONARY, fmt)
    raise LaitFileError(
        f"{path.name} is not one of LAIT's files: a data file has the columns "
        f"{', '.join(DATA_COLUMNS)}; the dictionary has Measure_short and Year_Type."
    )


def _head(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as stream:
            return stream.read(size)
    except OSError as error:
        raise LaitFileError(f"Cannot read {path}: {error.strerror}.") from None


def _open_text(path: Path, fmt: str):
    """A text stream over a CSV or gzipped CSV; a leading byte-order mark is dropped."""
    try:
        if fmt == "csv.gz":
            return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
        return path.open("r", encoding="utf-8-sig", newline="")
    except OSError as error:
        raise LaitFileError(f"Cannot read {path}: {error.strerror}.") from None


def _clean_header(name: str) -> str:
    return " ".join(name.split())


# --- The data --------------------------------------------------------------------------------


class DataRow(NamedTuple):
    code: str
    years: str
    area: str
    la_number: str  # as written: "344.0", or "" for a region in older files
    value: str  # as written: "12.13", "7.0000000000000007E-2", "-"
    region: str  # an LA's region as written ("Outer London"), "NA" for regions and England


def pyarrow_available() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def iter_data_rows(file: LaitFile, problems: Counter) -> Iterator[DataRow]:
    """Every row of a data file, streamed. Rows too short to hold the columns are counted in
    `problems` under "malformed row" and left out."""
    if file.format == "parquet":
        yield from _iter_parquet(file.path)
        return
    with _open_text(file.path, file.format) as stream:
        reader = csv.reader(stream)
        try:
            header = [_clean_header(name) for name in next(reader, [])]
            missing = [column for column in DATA_COLUMNS if column not in header]
            if missing:
                raise LaitFileError(f"{file.path.name} has no column {', '.join(missing)}.")
            columns = [header.index(column) for column in DATA_COLUMNS]
            if REGION_COLUMN in header:
                pick = itemgetter(*columns, header.index(REGION_COLUMN))
            else:
                pick5 = itemgetter(*columns)
                pick = lambda row: (*pick5(row), "")  # noqa: E731
            for row in reader:
                try:
                    yield DataRow._make(pick(row))
                except IndexError:
                    if any(row):
                        problems["malformed row"] += 1
        except (UnicodeDecodeError, csv.Error, EOFError, zlib.error, OSError) as e:
            raise LaitFileError(
                f"{file.path.name} could not be read to the end (line {reader.line_num}): {e}."
            ) from None


def _iter_parquet(path: Path) -> Iterator[DataRow]:
    if not pyarrow_available():
        raise LaitFileError(
            f"{path.name} is parquet, which needs the optional pyarrow package: "
            "pass the same data as bds_long.csv.gz instead, or install pyarrow."
        )
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        missing = [c for c in DATA_COLUMNS if c not in names]
        if missing:
            raise LaitFileError(f"{path.name} has no column {', '.join(missing)}.")
        wanted = [*DATA_COLUMNS, *([REGION_COLUMN] if REGION_COLUMN in names else [])]
        for batch in parquet.iter_batches(batch_size=65_536, columns=wanted):
            columns = [batch.column(i).to_pylist() for i in range(len(wanted))]
            if len(wanted) == len(DATA_COLUMNS):
                columns.append([""] * batch.num_rows)
            for row in zip(*columns, strict=True):
                yield DataRow._make(map(_text, row))
    except LaitFileError:
        raise
    except Exception as error:  # pyarrow raises its own errors for damaged files
        raise LaitFileError(f"{path.name} is not a readable parquet file ({error}).") from None


def _text(value) -> str:
    """A parquet cell as the CSV would have it: LA Number is a double there (344.0, and NaN
    where a file leaves a region's number out)."""
    if value is None or value != value:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


# Markers for a figure that is suppressed or not published (GSS symbols, LAIT's "-").
SUPPRESSED_MARKERS = frozenset(
    {"", "-", "c", "x", "z", "u", "low", ":", ".", "..", "*", "~", "na", "n/a", "supp"}
)
MAX_ABS_VALUE = Decimal(10) ** 14  # BenchmarkValue.value holds 14 digits before the point
_SIX_PLACES = Decimal("0.000001")


def parse_value(text: str) -> Decimal | None:
    """A Values cell -> a Decimal to six places, or None for a suppressed or unpublished
    figure; BadValue for anything else. LAIT's scientific notation ("7.0000000000000007E-2")
    carries binary noise below the sixth place, which rounding removes."""
    text = text.strip()
    if text.lower() in SUPPRESSED_MARKERS:
        return None
    if "_" in text:  # Decimal() accepts "1_000"; DfE never writes it
        raise BadValue(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(text) from None
    if not number.is_finite() or abs(number) >= MAX_ABS_VALUE:
        raise BadValue(text)
    return number.quantize(_SIX_PLACES, rounding=ROUND_HALF_EVEN)


def la_number(text: str) -> int | None:
    """'344.0' or '344' -> 344; '' -> None; anything else -> -1 (matches no area)."""
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return -1
    if not number.is_integer() or not 0 < number < 32_768:
        return -1
    return int(number)


# --- The dictionary --------------------------------------------------------------------------

Polarity = BenchmarkIndicator.Polarity
_POLARITIES = {"high": Polarity.HIGH, "low": Polarity.LOW}
_MAX_DECIMAL_PLACES = 6
_LENGTHS = {"name": 300, "topic": 100, "unit": 100, "source": 300, "link": 500}


class IndicatorRecord(NamedTuple):
    code: str
    name: str
    topic: str
    unit: str
    definition: str
    method: str
    polarity: str
    decimal_places: int | None
    year_type: str
    source: str
    link: str
    last_update: dt.date | None
    next_update: dt.date | None
    no_quartile: bool


@dataclass
class DictionaryResult:
    records: list[IndicatorRecord]
    problems: Counter = field(default_factory=Counter)  # rows left out, by reason
    notes: Counter = field(default_factory=Counter)  # kept, with something to say
    duplicates: list[str] = field(default_factory=list)  # codes listed more than once


def read_dictionary(file: LaitFile) -> DictionaryResult:
    """One record per Measure_short. LAIT lists a measure once per topic it appears under
    (14 codes twice in 2025): the entry updated last is kept, the first listed on a tie."""
    result = DictionaryResult(records=[])
    chosen: dict[str, IndicatorRecord] = {}
    for row in _dictionary_rows(file):
        code = row.get("Measure_short", "").strip()
        if not code:
            result.problems["a dictionary row without Measure_short"] += 1
            continue
        year_type = year_type_from_text(row.get("Year_Type", ""))
        if year_type is None:
            result.problems[f"{code}: unknown Year_Type {row.get('Year_Type', '')!r}"] += 1
            continue
        record = _indicator(code, year_type, row, result.notes)
        kept = chosen.get(code)
        if kept is None:
            chosen[code] = record
            continue
        result.duplicates.append(code)
        if (record.last_update or dt.date.min) > (kept.last_update or dt.date.min):
            chosen[code] = record
    result.records = list(chosen.values())
    return result


def _dictionary_rows(file: LaitFile) -> Iterator[dict[str, str]]:
    """Rows as dicts keyed by the tidied header. The dictionary is small (under 1 MB), so it
    is decoded whole: as UTF-8 when it is, else as Windows-1252 (Excel's "CSV" on Windows)."""
    try:
        raw = gzip.decompress(file.path.read_bytes()) if file.format == "csv.gz" else None
        raw = raw if raw is not None else file.path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise LaitFileError(f"Cannot read {file.path}: {error}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [_clean_header(name) for name in next(reader, [])]
        for row in reader:
            if any(cell.strip() for cell in row):
                yield dict(zip(header, row, strict=False))
    except csv.Error as error:
        raise LaitFileError(f"{file.path.name} is not a readable CSV file ({error}).") from None


def _indicator(code: str, year_type: str, row: dict[str, str], notes: Counter) -> IndicatorRecord:
    text = {key: _cell(row, column) for key, column in _DICTIONARY_TEXT.items()}
    for key, limit in _LENGTHS.items():
        if len(text[key]) > limit:
            notes[f"{key} cut to {limit} characters"] += 1
            text[key] = text[key][:limit]
    if not text["link"].lower().startswith(("https://", "http://")):
        text["link"] = ""
    decimal_places = None
    dps = _cell(row, "dps")
    if dps.isdigit() and int(dps) <= _MAX_DECIMAL_PLACES:
        decimal_places = int(dps)
    elif dps.upper() not in ("", "NA"):
        notes[f"dps {dps!r} is not 0-{_MAX_DECIMAL_PLACES}"] += 1
    return IndicatorRecord(
        code=code,
        year_type=year_type,
        polarity=_POLARITIES.get(_cell(row, "Polarity").lower(), Polarity.NONE),
        decimal_places=decimal_places,
        last_update=_excel_date(_cell(row, "Last Update"), "Last Update", notes),
        next_update=_excel_date(_cell(row, "Next Update"), "Next Update", notes),
        no_quartile=_cell(row, "No_Quartile").upper() == "N",
        **text,
    )


_DICTIONARY_TEXT = {
    "name": "Measure",
    "topic": "Topic",
    "unit": "y_axis_name",
    "definition": "Description",
    "method": "Methodology",
    "source": "Data Owner (DO) /Supplier and Contact Details",
    "link": "Hyperlink(s)",
}
_NEWLINES = re.compile(r"\r+\n?")


def _cell(row: dict[str, str], column: str) -> str:
    value = _NEWLINES.sub("\n", row.get(column) or "").strip()
    return "" if value.upper() == "NA" else value


def _excel_date(text: str, column: str, notes: Counter) -> dt.date | None:
    """An Excel serial day number (the dictionary's dates are stored so) -> a date; other
    text ('TBC', 'Discontinued', 'New Data') -> None, noted."""
    if not text:
        return None
    try:
        serial = float(text)
    except ValueError:
        notes[f"{column} is {text!r}, not a date"] += 1
        return None
    if serial >= 1:  # not day 0, nor a time alone (nor NaN)
        try:
            return excel_datetime(serial).date()
        except (ValueError, OverflowError):
            pass
    notes[f"{column} {text!r} is not a date"] += 1
    return None


# --- The workbooks ---------------------------------------------------------------------------


class NeighbourRecord(NamedTuple):
    la_number: int
    name: str
    neighbours: tuple[tuple[int, str], ...]  # (LA number, closeness), closest first


class AreaRecord(NamedTuple):
    la_number: int | None
    name: str
    region: str  # as the list writes it ("Outer London"); tidied when loaded
    kind: str  # an Area.Kind


def _workbook_rows(path: Path, limit: int | None = None) -> list[list[object]]:
    """The first sheet's rows as dense lists of values (None where empty), through the same
    hardened reader as KPI returns."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LaitFileError(f"Cannot read {path}: {error.strerror}.") from None
    try:
        book = open_workbook(data, _WORKBOOK_LIMITS)
        if not book.sheet_names:
            raise LaitFileError(f"{path.name} has no worksheet.")
        rows: list[list[object]] = []
        previous = 0
        for number, cells in book.sheet(book.sheet_names[0]).rows():
            rows.extend([] for _ in range(number - previous - 1))  # blank rows keep their place
            previous = number
            dense: list[object] = [None] * cells[-1].column
            for cell in cells:
                dense[cell.column - 1] = cell.value
            rows.append(dense)
            if limit is not None and len(rows) >= limit:
                break
        return rows
    except WorkbookRejected as error:
        raise LaitFileError(f"{path.name}: {error}") from None


def _header_text(value: object) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


_SN_COLUMN = re.compile(r"sn(\d+)")


def _neighbours_header(rows: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    """(row index, column positions) of the SN workbook's header row (its third, under rows
    of column letters and numbers), or None."""
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        names = [_header_text(value) for value in row]
        if "sn1" in names:
            columns = {name: i for i, name in reversed(list(enumerate(names))) if name}
            return index, columns
    return None


def _la_list_header(rows: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        names = [_header_text(value) for value in row]
        if "la name" in names and ("la number" in names or "la num" in names):
            return index, {name: i for i, name in reversed(list(enumerate(names))) if name}
    return None


def _at(row: list[object], index: int | None) -> object:
    return row[index] if index is not None and index < len(row) else None


def _number(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and 0 < value < 32_768 else None
    number = la_number(str(value))
    return None if number is None or number < 0 else number


def _closeness(value: object) -> str:
    """'Very Close' and 'Very close' are both in the May 2025 file: one spelling."""
    return " ".join(str(value).split()).capitalize()[:30] if value is not None else ""


def read_neighbours(file: LaitFile) -> tuple[list[NeighbourRecord], Counter]:
    """Each LA's neighbours in order (SN1 first). Rows without an LA number are left out
    silently (the sheet has blank rows at its foot); other faults are counted by reason."""
    rows = _workbook_rows(file.path)
    found = _neighbours_header(rows)
    if found is None:
        raise LaitFileError(f"{file.path.name} has no SN1..SN10 header row.")
    header_index, columns = found
    number_column = next((columns[n] for n in ("la num", "la number") if n in columns), None)
    if number_column is None:
        raise LaitFileError(f"{file.path.name} has no 'LA num' column.")
    name_column = columns.get("la name")
    sn_columns = sorted(
        (int(match[1]), i) for name, i in columns.items() if (match := _SN_COLUMN.fullmatch(name))
    )
    problems: Counter = Counter()
    records: list[NeighbourRecord] = []
    for row in rows[header_index + 1 :]:
        if not any(value is not None for value in row):
            continue
        number = _number(_at(row, number_column))
        if number is None:
            if sum(value is not None for value in row) > 1:  # not a heading ("Old SNs:")
                problems["a neighbours row without an LA number"] += 1
            continue
        neighbours = []
        for position, column in sn_columns:
            neighbour = _number(_at(row, column))
            if neighbour is None:
                problems[f"LA {number}: no LA number for neighbour {position}"] += 1
                continue
            neighbours.append((neighbour, _closeness(_at(row, column + 1))))
        name = str(_at(row, name_column) or "").strip()
        records.append(NeighbourRecord(number, name, tuple(neighbours)))
    return records, problems


Kind = Area.Kind
ENGLAND_NUMBER = 970
FIRST_REGION_NUMBER = 970  # DfE numbers England 970 and regions 980-990 beside LAs


def read_la_list(file: LaitFile) -> tuple[list[AreaRecord], Counter]:
    """Areas from the LA code list: an LA has a number below 970; England and the regions
    (Type "NA") are numbered 970 and up."""
    rows = _workbook_rows(file.path)
    found = _la_list_header(rows)
    if found is None:
        raise LaitFileError(f"{file.path.name} has no 'LA Number' / 'LA Name' header row.")
    header_index, columns = found
    number_column = next((columns[n] for n in ("la number", "la num") if n in columns), None)
    name_column, region_column = columns["la name"], columns.get("region")
    type_column = columns.get("type")
    problems: Counter = Counter()
    records: list[AreaRecord] = []
    for row in rows[header_index + 1 :]:
        name = " ".join(str(_at(row, name_column) or "").split())
        number = _number(_at(row, number_column))
        if not name:
            if any(value is not None for value in row):
                problems["an LA list row without a name"] += 1
            continue
        region = " ".join(str(_at(row, region_column) or "").split())
        area_type = str(_at(row, type_column) or "").strip().upper()
        if name.lower().startswith("england") or number == ENGLAND_NUMBER:
            kind = Kind.ENGLAND
        elif area_type == "NA" or (number is not None and number >= FIRST_REGION_NUMBER):
            kind = Kind.REGION
        elif number is None:
            problems[f"{name}: no LA number"] += 1
            continue
        else:
            kind = Kind.LA
        records.append(AreaRecord(number, name[:100], region[:100], kind))
    return records, problems


def area_from_data(name: str, number_text: str, region: str) -> AreaRecord | None:
    """The area a data row names, by the LA code list's rules: England is 970, regions are
    numbered from 970 up (or, in older files, not at all); None if the row's LA number is
    not one."""
    name = " ".join(name.split())[:100]
    number = la_number(number_text)
    if not name or number == -1:
        return None
    if name.lower().startswith("england") or number == ENGLAND_NUMBER:
        return AreaRecord(number, name, "", Kind.ENGLAND)
    if number is None or number >= FIRST_REGION_NUMBER:
        return AreaRecord(number, name, "", Kind.REGION)
    return AreaRecord(number, name, " ".join(region.split())[:100], Kind.LA)


_WORDS = re.compile(r"[a-z]+")


def canonical_region(text: str, region_names: set[str]) -> str:
    """An LA's region as the region's own Area is named: the LA list says "Outer London" and
    "Yorkshire and The Humber" where the regions are "London (Outer)" and "Yorkshire and the
    Humber". Matched on the set of words; left as written if no single region matches."""
    text = " ".join(text.split())
    if text.upper() in ("", "NA", "N/A"):
        return ""
    if text in region_names:
        return text
    words = frozenset(_WORDS.findall(text.lower()))
    matches = [name for name in region_names if frozenset(_WORDS.findall(name.lower())) == words]
    return matches[0] if len(matches) == 1 else text
