"""Loading LAIT's files into the benchmark tables: one transaction, only what differs written.

`load(files=..., only=...)` takes the files `reading.identify` recognised and loads, in this
order whatever order they were given in: the LA code list (areas), the statistical
neighbours, the data dictionary (indicators), then the data (values). Each step compares the
file with what is stored and creates, updates or deletes only the rows that differ, so a
second run of the same files writes nothing.

What each data file is taken to mean: the complete publication of every indicator it holds.
A stored value of such an indicator that the file no longer has is deleted; indicators the
file does not mention are left alone. A figure keeps its latest revision (see
kpis.lait.periods): a stored figure of a later revision than the file's is kept and counted.

Memory: the data file is streamed; each row is kept only as (area id, period id, value text)
under its indicator until the file has been read (about 130 bytes a row), because the latest
revision of a figure and the rows to delete can be known only then. Values are then compared
and written indicator by indicator in batches of about BATCH_ROWS rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import reset_queries, transaction

from careprog.bulk import insert_rows, update_rows
from kpis.lait import reading
from kpis.lait.periods import Period, UnparseablePeriod, parse_period, revision_rank
from kpis.lait.reading import FileKind, LaitFile
from kpis.models import Area, BenchmarkIndicator, BenchmarkValue, StatisticalNeighbour

BATCH_ROWS = 20_000  # values compared and written at a time
WRITE_BATCH = 2_000  # rows per executemany call, and per bulk_create of the small tables
DELETE_BATCH = 500  # ids per DELETE statement
EXAMPLES = 5  # shown per reason

Status = BenchmarkValue.Status

# Reasons a data row is left out, as the report names them.
UNPARSEABLE_YEARS = "unparseable Years"
UNKNOWN_AREA = "unknown area"
BAD_VALUE = "bad value text"
UNKNOWN_INDICATOR = "indicator not in the dictionary"
MALFORMED_ROW = "malformed row"


@dataclass
class Counts:
    """What a load or a sync did to one table."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"deleted {self.deleted}"
        )


@dataclass
class Step:
    """What loading one file did."""

    file: LaitFile
    counts: Counts = field(default_factory=Counts)
    problems: Counter = field(default_factory=Counter)  # left out, by reason
    notes: list[str] = field(default_factory=list)


@dataclass
class ValuesStep(Step):
    rows_read: int = 0
    rows_not_requested: int = 0  # other indicators than --indicators named
    suppressed: int = 0  # of the figures in the file, after revisions
    published: int = 0
    superseded_in_file: int = 0  # a row replaced by a later revision of the same figure
    repeated_in_file: int = 0  # the same figure and revision twice: the later row kept
    kept_later_revision: int = 0  # stored figure of a later revision than the file's
    areas_created: int = 0  # from the rows, when no LA code list was given
    examples: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def skip(self, reason: str, example: str, rows: int = 1) -> None:
        self.problems[reason] += rows
        self.examples[reason][example] += rows

    @property
    def offered(self) -> int:
        """Rows that could have been loaded: read and asked for, or too short to read."""
        return self.rows_read - self.rows_not_requested + self.problems[MALFORMED_ROW]

    @property
    def all_skipped(self) -> bool:
        """Every row was left out: the file loaded nothing, which is a failure, not a run."""
        return self.offered > 0 and sum(self.problems.values()) >= self.offered


# What to give with a data file whose every row was left out for this reason.
_REMEDIES = {
    UNKNOWN_INDICATOR: "give the data dictionary (lait_data_dictionary.csv) with it",
    UNKNOWN_AREA: "give the LA code list (la_code_list.xlsx) that names its areas",
    UNPARSEABLE_YEARS: "check its Years column and the dictionary's Year_Type",
    BAD_VALUE: "check its Values column",
    MALFORMED_ROW: "check that it is LAIT's data file, whole",
}


@dataclass
class Report:
    steps: list[Step] = field(default_factory=list)
    unknown_requested: list[str] = field(default_factory=list)  # --indicators codes not known
    dry_run: bool = False

    def refusal(self) -> str | None:
        """Why the load failed, in a sentence, if a data file had every row left out."""
        for step in self.steps:
            if isinstance(step, ValuesStep) and step.all_skipped:
                (reason, count), *others = step.problems.most_common()
                also = f" and {len(others)} more reasons" if others else ""
                return (
                    f"Every one of the {step.offered:,} rows of {step.file.path.name} was "
                    f"skipped ({reason}: {count:,}{also}): {_REMEDIES.get(reason, 'see above')}."
                )
        return None


_ORDER = [FileKind.LA_LIST, FileKind.NEIGHBOURS, FileKind.DICTIONARY, FileKind.DATA]
# Without the LA list the data names the areas, so it comes before the neighbours naming them.
_ORDER_AREAS_FROM_DATA = [FileKind.DICTIONARY, FileKind.DATA, FileKind.NEIGHBOURS]


def load(
    *, files: Sequence[LaitFile], only: set[str] | None = None, dry_run: bool = False
) -> Report:
    """Load `files` in one transaction; with `only`, indicators and values of those codes
    alone (areas and neighbours load whole). `dry_run` rolls everything back at the end.

    Without the LA code list, the areas a data file names that are not stored yet are taken
    from its rows (name, LA number, region); stored areas are left as they are, the LA list
    being the authority on names and regions."""
    report = Report(dry_run=dry_run)
    areas_from_data = not any(f.kind == FileKind.LA_LIST for f in files)
    order = _ORDER_AREAS_FROM_DATA if areas_from_data else _ORDER
    ordered = sorted(files, key=lambda f: order.index(f.kind))
    with transaction.atomic():
        for file in ordered:
            if file.kind == FileKind.LA_LIST:
                step = _load_areas(file)
            elif file.kind == FileKind.NEIGHBOURS:
                step = _load_neighbours(file)
            elif file.kind == FileKind.DICTIONARY:
                step = _load_indicators(file, only)
            else:
                step = _load_values(file, only, create_areas=areas_from_data)
            report.steps.append(step)
            reset_queries()  # with DEBUG on, Django keeps every query's SQL
        if only:
            known = BenchmarkIndicator.objects.filter(code__in=only).values_list("code", flat=True)
            report.unknown_requested = sorted(only - set(known))
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- Areas -----------------------------------------------------------------------------------


def _load_areas(file: LaitFile) -> Step:
    records, problems = reading.read_la_list(file)
    step = Step(file, problems=problems)
    stored = list(Area.objects.all())
    by_number = {a.la_number: a for a in stored if a.la_number is not None}
    by_name = {a.name: a for a in stored}
    regions = {r.name for r in records if r.kind != Area.Kind.LA}
    regions |= {a.name for a in stored if a.kind != Area.Kind.LA}
    seen_numbers: set[int] = set()
    seen_names: set[str] = set()
    to_create: list[Area] = []
    to_update: list[Area] = []
    respelled: dict[str, str] = {}
    for record in records:
        if record.la_number in seen_numbers or record.name in seen_names:
            step.problems[f"{record.name} ({record.la_number}) is listed twice"] += 1
            continue
        seen_names.add(record.name)
        if record.la_number is not None:
            seen_numbers.add(record.la_number)
        region = ""
        if record.kind == Area.Kind.LA:
            region = reading.canonical_region(record.region, regions)
            if region != record.region:
                respelled[record.region] = region
        area = by_number.get(record.la_number) if record.la_number is not None else None
        area = area or by_name.get(record.name)
        if area is None:
            to_create.append(
                Area(name=record.name, kind=record.kind, la_number=record.la_number, region=region)
            )
            continue
        holder = by_name.get(record.name)
        if holder is not None and holder.pk != area.pk:
            step.problems[f"{record.name}: the name belongs to another LA number"] += 1
            continue
        new = (record.name, record.kind, record.la_number, region)
        if (area.name, area.kind, area.la_number, area.region) == new:
            step.counts.unchanged += 1
        else:
            area.name, area.kind, area.la_number, area.region = new
            to_update.append(area)
    Area.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
    Area.objects.bulk_update(to_update, ["name", "kind", "la_number", "region"], WRITE_BATCH)
    step.counts.created, step.counts.updated = len(to_create), len(to_update)
    if respelled:
        step.notes.append(
            "LAs' regions stored as their region areas are named: "
            + ", ".join(f"{old!r} -> {new!r}" for old, new in sorted(respelled.items()))
        )
    return step


# --- Statistical neighbours ------------------------------------------------------------------


def _load_neighbours(file: LaitFile) -> Step:
    records, problems = reading.read_neighbours(file)
    step = Step(file, problems=problems)
    by_number = dict(Area.objects.filter(la_number__isnull=False).values_list("la_number", "id"))
    wanted: dict[int, dict[int, tuple[int, str]]] = {}
    for record in records:
        area_id = by_number.get(record.la_number)
        if area_id is None:
            step.problems[f"{UNKNOWN_AREA} (LA {record.la_number} {record.name})"] += 1
            continue
        links: dict[int, tuple[int, str]] = {}
        for position, (number, closeness) in enumerate(record.neighbours, start=1):
            neighbour_id = by_number.get(number)
            if neighbour_id is None:
                step.problems[f"{UNKNOWN_AREA} (neighbour LA {number})"] += 1
            elif neighbour_id == area_id or neighbour_id in links:
                step.problems[f"LA {record.la_number} lists LA {number} twice or itself"] += 1
            elif position > 10:
                step.problems[f"LA {record.la_number}: more than 10 neighbours"] += 1
            else:
                links[neighbour_id] = (position, closeness)
        wanted[area_id] = links
    stored: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    for area_id, neighbour_id, position, closeness in StatisticalNeighbour.objects.filter(
        area_id__in=wanted
    ).values_list("area_id", "neighbour_id", "position", "closeness"):
        stored[area_id][neighbour_id] = (position, closeness)
    changed: list[int] = []
    counts = step.counts
    for area_id, links in wanted.items():
        before = stored.get(area_id, {})
        if links == before:
            counts.unchanged += len(links)
            continue
        changed.append(area_id)
        counts.created += len(links.keys() - before.keys())
        counts.deleted += len(before.keys() - links.keys())
        for neighbour_id in links.keys() & before.keys():
            if links[neighbour_id] == before[neighbour_id]:
                counts.unchanged += 1
            else:
                counts.updated += 1
    # An area whose list changed is rewritten whole: positions may have swapped, and a
    # row-by-row update would trip the one-neighbour-per-position constraint on the way.
    StatisticalNeighbour.objects.filter(area_id__in=changed).delete()
    StatisticalNeighbour.objects.bulk_create(
        [
            StatisticalNeighbour(
                area_id=area_id, neighbour_id=n, position=position, closeness=closeness
            )
            for area_id in changed
            for n, (position, closeness) in wanted[area_id].items()
        ],
        batch_size=WRITE_BATCH,
    )
    return step


# --- Indicators ------------------------------------------------------------------------------

_INDICATOR_FIELDS = [f for f in reading.IndicatorRecord._fields if f != "code"]


def _load_indicators(file: LaitFile, only: set[str] | None) -> Step:
    result = reading.read_dictionary(file)
    step = Step(file, problems=result.problems)
    records = [r for r in result.records if only is None or r.code in only]
    stored = {
        i.code: i for i in BenchmarkIndicator.objects.filter(code__in=[r.code for r in records])
    }
    to_create, to_update = [], []
    for record in records:
        indicator = stored.get(record.code)
        if indicator is None:
            to_create.append(BenchmarkIndicator(**record._asdict()))
            continue
        new = record._asdict()
        if all(getattr(indicator, name) == new[name] for name in _INDICATOR_FIELDS):
            step.counts.unchanged += 1
            continue
        for name in _INDICATOR_FIELDS:
            setattr(indicator, name, new[name])
        to_update.append(indicator)
    BenchmarkIndicator.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
    BenchmarkIndicator.objects.bulk_update(to_update, _INDICATOR_FIELDS, batch_size=500)
    step.counts.created, step.counts.updated = len(to_create), len(to_update)
    if result.duplicates:
        step.notes.append(
            f"{len(result.duplicates)} codes are listed twice (one measure under two topics); "
            f"the entry updated last was kept: {', '.join(sorted(result.duplicates))}"
        )
    for note, count in sorted(result.notes.items()):
        step.notes.append(f"{note}: {count}")
    return step


# --- Values ----------------------------------------------------------------------------------


class _Areas:
    """Data rows name their area by LA number (regions and England too, 970-990) and name;
    resolved once per distinct pair. With `create`, an area not stored yet is created from
    the row (and its region named as the region's area is, once the file has been read)."""

    def __init__(self, step: ValuesStep, *, create: bool = False):
        self.step = step
        self.create = create
        self.created: list[Area] = []
        self.by_number: dict[int, int] = {}
        self.by_name: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self.numbers: dict[int, int | None] = {}
        for pk, name, number in Area.objects.values_list("id", "name", "la_number"):
            self.by_name[name] = pk
            self.names[pk] = name
            self.numbers[pk] = number
            if number is not None:
                self.by_number[number] = pk
        self.cache: dict[tuple[str, str], int | None] = {}
        self.renamed: list[str] = []

    def resolve(self, number_text: str, name: str, region: str) -> int | None:
        number = reading.la_number(number_text)
        area_id = self.by_number.get(number) if number is not None else None
        if area_id is None:
            area_id = self.by_name.get(name)
            if area_id is not None and number is not None and self.numbers[area_id] is not None:
                area_id = None  # the name is another number's
            elif area_id is None and self.create:
                area_id = self._create(number_text, name, region)
        elif self.names[area_id] != name:
            self.renamed.append(f"{name!r} ({number}) is {self.names[area_id]!r}")
        self.cache[number_text, name] = area_id
        return area_id

    def _create(self, number_text: str, name: str, region: str) -> int | None:
        record = reading.area_from_data(name, number_text, region)
        if record is None or record.name in self.by_name:
            return None
        area = Area.objects.create(
            name=record.name, kind=record.kind, la_number=record.la_number, region=record.region
        )
        self.created.append(area)
        self.by_name[area.name], self.names[area.pk] = area.pk, area.name
        self.numbers[area.pk] = area.la_number
        if area.la_number is not None:
            self.by_number[area.la_number] = area.pk
        return area.pk

    def finish(self) -> None:
        """Name the created LAs' regions as their region areas are named ("Outer London" is
        "London (Outer)"), and say what was created."""
        if not self.created:
            return
        regions = set(Area.objects.exclude(kind=Area.Kind.LA).values_list("name", flat=True))
        respelled = []
        for area in self.created:
            if area.kind == Area.Kind.LA:
                region = reading.canonical_region(area.region, regions)
                if region != area.region:
                    area.region = region
                    respelled.append(area)
        Area.objects.bulk_update(respelled, ["region"], batch_size=WRITE_BATCH)
        self.step.areas_created = len(self.created)
        self.step.notes.append(
            f"areas taken from the data (no LA code list given): created {len(self.created)}"
        )


def _load_values(file: LaitFile, only: set[str] | None, *, create_areas: bool) -> ValuesStep:
    step = ValuesStep(file)
    indicators = {
        code: (pk, year_type)
        for pk, code, year_type in BenchmarkIndicator.objects.values_list("id", "code", "year_type")
    }
    codes = {pk: code for code, (pk, _) in indicators.items()}
    areas = _Areas(step, create=create_areas)
    periods: list[Period] = []
    period_ids: dict[tuple[str, str], int | str] = {}  # an index into periods, or the reason
    rows: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    malformed: Counter = Counter()

    rows_of = reading.iter_data_rows(file, malformed)
    for code, years, area_name, number_text, value, region in rows_of:
        step.rows_read += 1
        if only is not None and code not in only:
            step.rows_not_requested += 1
            continue
        indicator = indicators.get(code)
        if indicator is None:
            step.skip(UNKNOWN_INDICATOR, code)
            continue
        area_id = areas.cache.get((number_text, area_name), -1)
        if area_id == -1:
            area_id = areas.resolve(number_text, area_name, region)
        if area_id is None:
            step.skip(UNKNOWN_AREA, f"{area_name} ({number_text or 'no number'})")
            continue
        key = (years, indicator[1])
        period_id = period_ids.get(key)
        if period_id is None:
            try:
                periods.append(parse_period(years, indicator[1]))
                period_id = period_ids[key] = len(periods) - 1
            except UnparseablePeriod as reason:
                period_id = period_ids[key] = str(reason)
        if type(period_id) is str:
            step.skip(UNPARSEABLE_YEARS, f"{code} {years!r}: {period_id}")
            continue
        rows[indicator[0]].append((area_id, period_id, value))
    areas.finish()
    if malformed:
        step.skip(MALFORMED_ROW, "fewer cells than the header", malformed[MALFORMED_ROW])
    if areas.renamed:
        step.notes.append(
            "matched by LA number though named differently: " + "; ".join(areas.renamed[:10])
        )

    for batch in _batches(rows):
        _apply(step, batch, rows, periods, codes)
        reset_queries()
    return step


def _batches(rows: dict[int, list]) -> Iterable[list[int]]:
    """Indicator ids in groups of about BATCH_ROWS rows."""
    batch: list[int] = []
    size = 0
    for indicator_id in list(rows):
        batch.append(indicator_id)
        size += len(rows[indicator_id])
        if size >= BATCH_ROWS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _apply(
    step: ValuesStep,
    batch: list[int],
    rows: dict[int, list[tuple[int, int, str]]],
    periods: list[Period],
    codes: dict[int, str],
) -> None:
    """Compare one batch of indicators' figures with the stored ones and write the difference.
    Their rows are dropped from `rows` as they are used, so memory falls as the load goes."""
    wanted: dict[tuple[int, int, str], tuple[Period, object]] = {}
    unreadable: set[tuple[int, int, str]] = set()  # kept as stored, not deleted
    for indicator_id in batch:
        for area_id, period_id, text in rows.pop(indicator_id):
            period = periods[period_id]
            key = (indicator_id, area_id, period.label)
            try:
                value = reading.parse_value(text)
            except reading.BadValue:
                step.skip(BAD_VALUE, f"{codes[indicator_id]} {text!r}")
                unreadable.add(key)
                continue
            earlier = wanted.get(key)
            if earlier is not None:
                rank, earlier_rank = (
                    revision_rank(period.revision),
                    revision_rank(earlier[0].revision),
                )
                if rank < earlier_rank:
                    step.superseded_in_file += 1
                    continue
                if rank > earlier_rank:
                    step.superseded_in_file += 1
                else:
                    step.repeated_in_file += 1
            wanted[key] = (period, value)

    to_update: list[tuple] = []  # _UPDATE_FIELDS' values, then the id
    to_delete: list[int] = []
    stored = BenchmarkValue.objects.filter(indicator_id__in=batch).values_list(
        "id", "indicator_id", "area_id", "period_label",
        "period_end", "period_kind", "value", "status", "revision",
    )  # fmt: skip
    counts = step.counts
    for pk, indicator_id, area_id, label, end, kind, value, status, revision in stored:
        key = (indicator_id, area_id, label)
        want = wanted.pop(key, None)
        if want is None:
            if key not in unreadable:
                to_delete.append(pk)
            continue
        period, new_value = want
        _count_status(step, new_value)
        if revision_rank(revision) > revision_rank(period.revision):
            step.kept_later_revision += 1
            continue
        new_status = Status.SUPPRESSED if new_value is None else Status.PUBLISHED
        new = (period.end, period.kind, new_value, new_status, period.revision)
        if (end, kind, value, status, revision) == new:
            counts.unchanged += 1
        else:
            to_update.append((*_row(indicator_id, area_id, period, new_value)[3:], pk))
    to_create = []
    for (indicator_id, area_id, _), (period, new_value) in wanted.items():
        _count_status(step, new_value)
        to_create.append(_row(indicator_id, area_id, period, new_value))

    for start in range(0, len(to_delete), DELETE_BATCH):
        BenchmarkValue.objects.filter(pk__in=to_delete[start : start + DELETE_BATCH]).delete()
    _update(to_update)
    _insert(to_create)
    counts.created += len(to_create)
    counts.updated += len(to_update)
    counts.deleted += len(to_delete)


def _count_status(step: ValuesStep, value) -> None:
    if value is None:
        step.suppressed += 1
    else:
        step.published += 1


def _row(indicator_id, area_id, period: Period, value) -> tuple:
    """The INSERT parameters, in _INSERT_FIELDS order."""
    status = Status.SUPPRESSED if value is None else Status.PUBLISHED
    return (
        indicator_id,
        area_id,
        period.label,
        period.end,
        period.kind,
        value,
        status,
        period.revision,
    )


# Values are written with raw SQL (careprog.bulk) rather than bulk_create/bulk_update: for
# 640,000 rows Django spent about 50 µs a row building SQL in Python (36 of 48 seconds on
# SQLite).
_INSERT_FIELDS = [
    "indicator", "area", "period_label", "period_end", "period_kind", "value", "status", "revision"
]  # fmt: skip
_UPDATE_FIELDS = ["period_end", "period_kind", "value", "status", "revision"]


def _insert(rows: list[tuple]) -> None:
    insert_rows(BenchmarkValue, _INSERT_FIELDS, rows)


def _update(rows: list[tuple]) -> None:
    update_rows(BenchmarkValue, _UPDATE_FIELDS, rows)
