"""DfE's LAIT data loads as it is published: every period dated by rule, suppressed figures
kept apart from zero, the latest revision kept, problems reported by reason, and a second run
of the same files changing nothing.

Every file is built here in tmp_path: the real data set (/work/shared/data/lait) is loaded by
benchmarks/import_lait.py, which reports the full import's counts.
"""

import csv
import datetime as dt
import gzip
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from kpis.lait import reading
from kpis.lait.periods import Period, UnparseablePeriod, parse_period, revision_rank
from kpis.models import Area, BenchmarkIndicator, BenchmarkValue, StatisticalNeighbour
from tests.import_files import xlsx

YearType = BenchmarkIndicator.YearType
Kind = BenchmarkValue.PeriodKind
Status = BenchmarkValue.Status
D = dt.date

# --- The period rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "year_type", "expected"),
    [
        # A bare year, by the dictionary's Year_Type.
        ("2025", YearType.FINANCIAL, ("2025", D(2025, 3, 31), Kind.FINANCIAL_YEAR, "")),
        ("2025", YearType.ACADEMIC, ("2025", D(2025, 8, 31), Kind.ACADEMIC_YEAR, "")),
        ("2025", YearType.CALENDAR, ("2025", D(2025, 12, 31), Kind.CALENDAR_YEAR, "")),
        ("2025", YearType.END_OF_SEPTEMBER, ("2025", D(2025, 9, 30), Kind.END_OF_SEPTEMBER, "")),
        ("2025", YearType.JANUARY, ("2025", D(2025, 1, 31), Kind.JANUARY, "")),
        ("2025", YearType.ANNUAL, ("2025", D(2025, 3, 31), Kind.SNAPSHOT_MARCH, "")),
        # One financial or academic year, either spelling.
        ("2024-25", YearType.FINANCIAL, ("2024-25", D(2025, 3, 31), Kind.FINANCIAL_YEAR, "")),
        ("2024/25", YearType.FINANCIAL, ("2024/25", D(2025, 3, 31), Kind.FINANCIAL_YEAR, "")),
        ("2024-25", YearType.ACADEMIC, ("2024-25", D(2025, 8, 31), Kind.ACADEMIC_YEAR, "")),
        ("2024/25", YearType.ACADEMIC, ("2024/25", D(2025, 8, 31), Kind.ACADEMIC_YEAR, "")),
        ("1999-00", YearType.FINANCIAL, ("1999-00", D(2000, 3, 31), Kind.FINANCIAL_YEAR, "")),
        # Outturn: the financial year, whatever the Year_Type.
        ("2024-25 (OT)", YearType.FINANCIAL, ("2024-25", D(2025, 3, 31), Kind.OUTTURN, "")),
        ("2024-25 (OT)", YearType.ACADEMIC, ("2024-25", D(2025, 3, 31), Kind.OUTTURN, "")),
        # Three years, ending as the last year does.
        ("2014-16", YearType.CALENDAR, ("2014-16", D(2016, 12, 31), Kind.THREE_YEARS, "")),
        ("2014-16", YearType.FINANCIAL, ("2014-16", D(2016, 3, 31), Kind.THREE_YEARS, "")),
        (
            "2013/14-15/16",
            YearType.FINANCIAL,
            ("2013/14-15/16", D(2016, 3, 31), Kind.THREE_YEARS, ""),
        ),
        (
            "2013/14-15/16",
            YearType.ACADEMIC,
            ("2013/14-15/16", D(2016, 8, 31), Kind.THREE_YEARS, ""),
        ),
        # Revisions leave the label and are kept beside it.
        ("2018 (Rev)", YearType.ACADEMIC, ("2018", D(2018, 8, 31), Kind.ACADEMIC_YEAR, "Rev")),
        ("2025 (prov)", YearType.ACADEMIC, ("2025", D(2025, 8, 31), Kind.ACADEMIC_YEAR, "prov")),
        ("2020 (Final)", YearType.ACADEMIC, ("2020", D(2020, 8, 31), Kind.ACADEMIC_YEAR, "Final")),
        (" 2025 ( PROV ) ", YearType.ANNUAL, ("2025", D(2025, 3, 31), Kind.SNAPSHOT_MARCH, "prov")),
    ],
)
def test_each_years_form_has_its_period_end_and_kind(years, year_type, expected):
    assert parse_period(years, year_type) == Period(*expected)


@pytest.mark.parametrize(
    ("years", "year_type", "reason"),
    [
        ("0", YearType.ACADEMIC, "no year"),
        ("", YearType.ACADEMIC, "empty"),
        ("25", YearType.ACADEMIC, "not a year"),
        ("2025 (est)", YearType.ACADEMIC, "unknown marker"),
        ("2024-27", YearType.FINANCIAL, "not a one-year or three-year range"),
        ("2024/26", YearType.FINANCIAL, "not a one-year or three-year range"),
        ("2025-24", YearType.FINANCIAL, "not a one-year or three-year range"),
        ("2024-25", YearType.CALENDAR, "split year for a calendar year measure"),
        ("2024/25", YearType.JANUARY, "split year"),
        ("2013/14-15/16", YearType.CALENDAR, "split years for a calendar year measure"),
        ("2013/14-16/17", YearType.FINANCIAL, "not three consecutive split years"),
        ("2025", "weekly", "unknown Year_Type"),
    ],
)
def test_years_that_name_no_period_are_refused_with_a_reason(years, year_type, reason):
    with pytest.raises(UnparseablePeriod, match=reason):
        parse_period(years, year_type)


def test_a_provisional_figure_is_superseded_by_an_unmarked_then_a_revised_then_a_final_one():
    ranks = [revision_rank(r) for r in ["prov", "", "Rev", "Final"]]
    assert ranks == sorted(ranks) and len(set(ranks)) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.13", Decimal("12.13")),
        ("681", Decimal(681)),
        ("-5.5", Decimal("-5.5")),
        ("7.0000000000000007E-2", Decimal("0.07")),
        ("1.146E-2", Decimal("0.01146")),
        ("1E+3", Decimal(1000)),
        (" 42 ", Decimal(42)),
        ("16012355892", Decimal(16012355892)),
        ("-", None),
        ("c", None),
        ("x", None),
        ("", None),
    ],
)
def test_values_are_numbers_to_six_places_or_suppressed(text, expected):
    assert reading.parse_value(text) == expected


@pytest.mark.parametrize("text", ["1,234", "12%", "abc", "NaN", "inf", "1_000", "1E+20"])
def test_value_text_that_is_no_number_is_refused(text):
    with pytest.raises(reading.BadValue):
        reading.parse_value(text)


# --- Files built for the command tests -------------------------------------------------------

DATA_HEADER = [
    "Short Desc",
    "Data item",
    "Years",
    "LA and Regions",
    "Values",
    "LA Number",
    "Region",
]
AREAS = {
    "Wirral": (344, "North West"),
    "Sefton": (343, "North West"),
    "Knowsley": (340, "North West"),
    "Camden": (202, "Inner London"),
    "North West": (981, "NA"),
    "London (Inner)": (987, "NA"),
    "England": (970, "NA"),
}


def data_row(code, years, area, value):
    number, region = AREAS.get(area, (999, "Nowhere"))
    return [code, f"{code} item", years, area, value, f"{number}.0", region]


BASE_ROWS = [
    data_row("LACnum", "2024", "Wirral", "700"),
    data_row("LACnum", "2025", "Wirral", "681"),
    data_row("LACnum", "2025", "Sefton", "-"),
    data_row("LACnum", "2025", "England", "83630"),
    data_row("LAC_Foster_Placements", "2025", "Wirral", "7.0000000000000007E-2"),
    data_row("KS1P_all", "2025 (prov)", "Wirral", "80"),
    data_row("A3A", "2018 (Rev)", "Wirral", "33.5"),
    data_row("RTA", "2014-16", "Wirral", "12.13"),
    data_row("LACFinance", "2024-25 (OT)", "Wirral", "41234.5"),
    data_row("CINPermExclusion", "0", "Wirral", "-"),
    data_row("CINPermExclusion", "2024", "Camden", "0"),
]

DICTIONARY_HEADER = [
    "Measure_code", "Topic", "Measure", "Measure_short", "Polarity", "y_axis_name",
    "Description", "Last Update", "Next Update",
    "Data Owner (DO) /Supplier and Contact Details", "Methodology", "Hyperlink(s)", "dps",
    "Year_Type", "No_Quartile",
]  # fmt: skip


def entry(code, year_type, *, topic="Children Looked After", polarity="Low", updated="45809",
          next_update="46174", dps="NA", no_quartile="NA"):  # fmt: skip
    return [
        "1", topic, f"{code} measure", code, polarity, "Number", f"What {code} is",
        updated, next_update, "DfE", "How it is counted\r\r\nin two lines",
        f"https://example.org/{code}", dps, year_type, no_quartile,
    ]  # fmt: skip


DICTIONARY = [
    entry("LACnum", "Annual", dps="0"),
    entry("LAC_Foster_Placements", "Financial Year", polarity="High"),
    entry("KS1P_all", "Academic Year", polarity="-", next_update="TBC"),
    entry("A3A", "Academic Year", polarity="NA"),
    entry("RTA", "Calendar Year", no_quartile="N"),
    entry("LACFinance", "Financial Year"),
    entry("CINPermExclusion", "Academic Year", topic="Children in Need", updated="46113"),
    entry("CINPermExclusion", "Academic Year", topic="All Pupil Absence", updated="45778"),
]


def write_csv(path, header, rows, *, gz=False):
    text = io.StringIO(newline="")
    csv.writer(text).writerows([header, *rows])
    data = text.getvalue().encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def la_list_rows():
    rows = [["LA Number", "LA Name", "Region", "Type"]]
    for name, (number, region) in AREAS.items():
        rows.append([number, name, region, "NA" if region == "NA" else "MD"])
    return rows


def neighbour_rows():
    """DfE's layout: two rows of column letters and numbers, the header on the third."""
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
    for position in range(1, 11):
        header += [f"SN{position}", "SNP"]
    wirral = [344, "Wirral", 344, 5, "North West", 343, "Very Close", 340, "Close"]
    sefton = [343, "Sefton", 343, 5, "North West", 344, "Very close", 202, "Somewhat close"]
    return [
        ["A", "B", "C", "D", "E", 3, 4, 5, 6],
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
        header,
        wirral,
        sefton,
        [],
        [None, "Old SNs:"],
        [340, "Knowsley", 340, 5, "North West", 999, "Close"],
    ]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "sn.xlsx").write_bytes(xlsx(neighbour_rows(), sheet="LA SN Groups"))
    (tmp_path / "las.xlsx").write_bytes(xlsx(la_list_rows(), sheet="Sheet1"))
    return {
        "data": write_csv(tmp_path / "bds_long.csv.gz", DATA_HEADER, BASE_ROWS, gz=True),
        "dictionary": write_csv(tmp_path / "dictionary.csv", DICTIONARY_HEADER, DICTIONARY),
        "neighbours": tmp_path / "sn.xlsx",
        "areas": tmp_path / "las.xlsx",
    }


def run(*paths, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_lait", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def stored(code, area="Wirral"):
    return {
        v.period_label: v
        for v in BenchmarkValue.objects.filter(indicator__code=code, area__name=area)
    }


def snapshot():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (Area, StatisticalNeighbour, BenchmarkIndicator, BenchmarkValue)
    ]


def everything(files):
    return [files["data"], files["dictionary"], files["neighbours"], files["areas"]]


# --- The command -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_full_set_loads_in_any_order_and_says_what_it_did(files):
    out, err = run(*everything(files))
    assert "Areas (las.xlsx): created 7, updated 0, unchanged 0" in out
    assert "Statistical neighbours (sn.xlsx): created 4, updated 0, unchanged 0" in out
    assert "Indicators (dictionary.csv): created 7, updated 0, unchanged 0" in out
    assert (
        "Values (bds_long.csv.gz): read 11 rows; created 10, updated 0, unchanged 0, "
        "deleted 0; published 9, suppressed 1"
    ) in out
    lacnum = stored("LACnum")["2025"]
    assert (lacnum.value, lacnum.period_end, lacnum.period_kind) == (
        Decimal(681),
        D(2025, 3, 31),
        Kind.SNAPSHOT_MARCH,
    )
    assert stored("LACFinance")["2024-25"].period_kind == Kind.OUTTURN
    assert stored("RTA")["2014-16"].period_end == D(2016, 12, 31)


@pytest.mark.django_db
def test_a_suppressed_figure_is_stored_as_suppressed_not_zero(files):
    run(*everything(files))
    sefton = stored("LACnum", "Sefton")["2025"]
    assert (sefton.status, sefton.value) == (Status.SUPPRESSED, None)
    zero = stored("CINPermExclusion", "Camden")["2024"]
    assert (zero.status, zero.value) == (Status.PUBLISHED, Decimal(0))


def test_the_database_refuses_a_suppressed_figure_with_a_number(files, db):
    run(*everything(files))
    with pytest.raises(IntegrityError):
        BenchmarkValue.objects.filter(status=Status.SUPPRESSED).update(value=0)


@pytest.mark.django_db
def test_scientific_notation_is_read_as_the_number_it_means(files):
    run(*everything(files))
    assert stored("LAC_Foster_Placements")["2025"].value == Decimal("0.07")


@pytest.mark.django_db
def test_a_revised_figure_replaces_the_provisional_one(files, tmp_path):
    run(*everything(files))
    assert stored("KS1P_all")["2025"].revision == "prov"
    later = write_csv(
        tmp_path / "later.csv", DATA_HEADER, [data_row("KS1P_all", "2025", "Wirral", "81")]
    )
    out, _ = run(later)
    assert "created 0, updated 1, unchanged 0, deleted 0" in out
    figure = stored("KS1P_all")["2025"]
    assert (figure.value, figure.revision, figure.period_end) == (Decimal(81), "", D(2025, 8, 31))


@pytest.mark.django_db
def test_within_one_file_the_latest_revision_wins_whatever_the_row_order(files, tmp_path):
    run(files["dictionary"], files["areas"])
    both = write_csv(
        tmp_path / "both.csv",
        DATA_HEADER,
        [
            data_row("A3A", "2018 (Final)", "Wirral", "34"),
            data_row("A3A", "2018 (prov)", "Wirral", "30"),
            data_row("A3A", "2018 (Rev)", "Wirral", "33.5"),
        ],
    )
    out, _ = run(both)
    assert "replaced by a later revision in the file: 2" in out
    figure = stored("A3A")["2018"]
    assert (figure.value, figure.revision) == (Decimal(34), "Final")


@pytest.mark.django_db
def test_an_older_revision_does_not_replace_a_later_stored_one(files, tmp_path):
    run(*everything(files))
    older = write_csv(
        tmp_path / "older.csv", DATA_HEADER, [data_row("A3A", "2018 (prov)", "Wirral", "30")]
    )
    out, _ = run(older)
    assert "kept stored figures of a later revision than the file's: 1" in out
    figure = stored("A3A")["2018"]
    assert (figure.value, figure.revision) == (Decimal("33.5"), "Rev")


@pytest.mark.django_db
def test_the_meaningless_year_0_is_reported_and_counted_not_loaded(files):
    _, err = run(*everything(files))
    assert "skipped 1 rows:" in err
    assert "unparseable Years: 1 (CINPermExclusion '0': no year (0) x 1)" in err
    assert "0" not in stored("CINPermExclusion")


@pytest.mark.django_db
def test_an_unknown_area_an_unknown_indicator_and_bad_value_text_are_reported(files, tmp_path):
    run(*everything(files))
    odd = write_csv(
        tmp_path / "odd.csv",
        DATA_HEADER,
        [
            data_row("LACnum", "2025", "Atlantis", "5"),
            data_row("NoSuchCode", "2025", "Wirral", "5"),
            data_row("LACnum", "2025", "Wirral", "6,810"),
            data_row("LACnum", "2025", "England", "83630"),
            ["LACnum", "too short"],
        ],
    )
    # With the LA list, an area it does not name is unknown (without it, see below).
    out, err = run(odd, files["areas"])
    assert "unknown area: 1 (Atlantis (999.0) x 1)" in err
    assert "indicator not in the dictionary: 1 (NoSuchCode x 1)" in err
    assert "bad value text: 1 (LACnum '6,810' x 1)" in err
    assert "malformed row: 1" in err
    # The unreadable figure keeps what was stored; Sefton's and 2024, absent, are deleted.
    assert "created 0, updated 0, unchanged 1, deleted 2" in out
    assert set(stored("LACnum")) == {"2025"}
    assert stored("LACnum")["2025"].value == Decimal(681)


def without_the_la_list(files):
    return [files["data"], files["dictionary"], files["neighbours"]]


@pytest.mark.django_db
def test_without_the_la_list_the_areas_come_from_the_data_and_everything_loads(files):
    """DfE's data set names every area it holds, with its LA number and region."""
    write_csv(files["data"], DATA_HEADER, [*BASE_ROWS,
              data_row("LACnum", "2025", "London (Inner)", "400")], gz=True)  # fmt: skip
    out, err = run(*without_the_la_list(files))
    assert "note: areas taken from the data (no LA code list given): created 5" in out
    assert {(a.name, a.kind, a.la_number, a.region) for a in Area.objects.all()} == {
        ("Wirral", Area.Kind.LA, 344, "North West"),
        ("Sefton", Area.Kind.LA, 343, "North West"),
        ("Camden", Area.Kind.LA, 202, "London (Inner)"),  # "Inner London", as its area is named
        ("England", Area.Kind.ENGLAND, 970, ""),
        ("London (Inner)", Area.Kind.REGION, 987, ""),
    }
    assert "unknown area:" not in err  # no data row skipped for its area
    assert "Statistical neighbours (sn.xlsx): created 3" in out  # Knowsley is not in the data
    assert stored("LACnum")["2025"].value == Decimal(681)
    assert "created 11, updated 0" in out
    wirral = Area.objects.get(la_number=344)
    assert [n.neighbour.name for n in wirral.neighbours.select_related("neighbour")] == ["Sefton"]
    before = snapshot()
    out, _ = run(*without_the_la_list(files))
    assert snapshot() == before and "areas taken from the data" not in out


@pytest.mark.django_db
def test_areas_taken_from_the_data_never_change_the_ones_the_la_list_gave(files, tmp_path):
    run(files["areas"])
    before = snapshot()
    renamed = write_csv(
        tmp_path / "renamed.csv",
        DATA_HEADER,
        [["LACnum", "item", "2025", "Wirral Council", "681", "344.0", "North West"],
         ["LACnum", "item", "2025", "Sefton", "-", "999.0", "North West"]],
    )  # fmt: skip
    out, err = run(renamed, files["dictionary"])
    assert snapshot()[0] == before[0]  # the areas
    assert "'Wirral Council' (344) is 'Wirral'" in out
    assert "unknown area: 1 (Sefton (999.0) x 1)" in err  # the name is LA 343's


@pytest.mark.django_db
def test_a_data_file_whose_every_row_is_skipped_is_an_error_and_nothing_is_imported(
    files, tmp_path
):
    with pytest.raises(CommandError) as refused:
        run(files["data"], files["neighbours"], files["areas"])  # no dictionary
    assert str(refused.value) == (
        "Every one of the 11 rows of bds_long.csv.gz was skipped (indicator not in the "
        "dictionary: 11): give the data dictionary (lait_data_dictionary.csv) with it. "
        "Nothing was imported."
    )
    assert not Area.objects.exists() and not StatisticalNeighbour.objects.exists()
    nowhere = write_csv(
        tmp_path / "nowhere.csv", DATA_HEADER, [data_row("LACnum", "2025", "Atlantis", "5")]
    )
    with pytest.raises(CommandError, match=r"\(unknown area: 1\): give the LA code list"):
        run(nowhere, files["dictionary"], files["areas"], dry_run=True)
    assert not BenchmarkIndicator.objects.exists()


@pytest.mark.django_db
def test_a_second_run_of_the_same_files_changes_nothing(files):
    first_out, _ = run(*everything(files))
    before = snapshot()
    out, _ = run(*everything(files))
    assert snapshot() == before
    assert "Areas (las.xlsx): created 0, updated 0, unchanged 7" in out
    assert "Statistical neighbours (sn.xlsx): created 0, updated 0, unchanged 4" in out
    assert "Indicators (dictionary.csv): created 0, updated 0, unchanged 7" in out
    assert "created 0, updated 0, unchanged 10, deleted 0; published 9, suppressed 1" in out


@pytest.mark.django_db
def test_a_figure_dropped_from_the_data_is_deleted_and_other_indicators_are_left_alone(
    files, tmp_path
):
    run(*everything(files))
    fewer = write_csv(tmp_path / "fewer.csv", DATA_HEADER, BASE_ROWS[1:4])  # LACnum without 2024
    out, _ = run(fewer)
    assert "created 0, updated 0, unchanged 3, deleted 1" in out
    assert set(stored("LACnum")) == {"2025"}
    assert set(stored("RTA")) == {"2014-16"}


@pytest.mark.django_db
def test_indicators_option_limits_indicators_and_values_but_areas_and_neighbours_load(files):
    out, err = run(*everything(files), indicators="LACnum, RTA,Nope")
    assert set(BenchmarkIndicator.objects.values_list("code", flat=True)) == {"LACnum", "RTA"}
    assert set(BenchmarkValue.objects.values_list("indicator__code", flat=True)) == {
        "LACnum",
        "RTA",
    }
    assert Area.objects.count() == 7
    assert StatisticalNeighbour.objects.count() == 4
    assert "not requested (--indicators): 6 rows" in out
    assert "--indicators names codes that are not in the dictionary: Nope" in err


@pytest.mark.django_db
def test_neighbours_load_from_a_workbook_whose_header_is_its_third_row(files):
    _, err = run(files["areas"], files["neighbours"])
    wirral = Area.objects.get(la_number=344)
    assert [
        (n.position, n.neighbour.name, n.closeness)
        for n in wirral.neighbours.select_related("neighbour")
    ] == [(1, "Sefton", "Very close"), (2, "Knowsley", "Close")]
    assert "unknown area (neighbour LA 999): 1" in err
    assert "without an LA number" not in err  # the "Old SNs:" heading is not a fault


@pytest.mark.django_db
def test_areas_take_their_kind_and_their_region_as_the_region_is_named(files):
    run(files["areas"])
    camden = Area.objects.get(name="Camden")
    assert (camden.kind, camden.la_number, camden.region) == (Area.Kind.LA, 202, "London (Inner)")
    assert Area.objects.get(la_number=970).kind == Area.Kind.ENGLAND
    assert Area.objects.get(la_number=981).kind == Area.Kind.REGION


@pytest.mark.django_db
def test_the_dictionary_gives_each_indicator_once_with_dates_polarity_and_rules(files):
    out, _ = run(files["dictionary"])
    assert "1 codes are listed twice" in out
    exclusion = BenchmarkIndicator.objects.get(code="CINPermExclusion")
    assert exclusion.topic == "Children in Need"  # the entry updated last
    lacnum = BenchmarkIndicator.objects.get(code="LACnum")
    assert (lacnum.year_type, lacnum.polarity, lacnum.decimal_places) == ("annual", "low", 0)
    assert (lacnum.last_update, lacnum.next_update) == (D(2025, 6, 1), D(2026, 6, 1))
    assert lacnum.method == "How it is counted\nin two lines"
    ks1 = BenchmarkIndicator.objects.get(code="KS1P_all")
    assert (ks1.polarity, ks1.decimal_places, ks1.next_update) == ("none", None, None)
    assert BenchmarkIndicator.objects.get(code="RTA").no_quartile is True
    assert "Next Update is 'TBC', not a date: 1" in out


@pytest.mark.django_db
def test_a_plain_csv_loads_as_the_gzipped_one_does(files, tmp_path):
    plain = write_csv(tmp_path / "bds_long.csv", DATA_HEADER, BASE_ROWS)
    run(files["dictionary"], files["areas"], plain)
    assert BenchmarkValue.objects.count() == 10


@pytest.mark.django_db
def test_a_missing_file_is_a_command_error_and_nothing_is_imported(files, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.csv.gz"):
        run(files["areas"], tmp_path / "missing.csv.gz")
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_a_data_file_cut_short_is_a_command_error_and_the_whole_import_rolls_back(files):
    whole = files["data"].read_bytes()
    files["data"].write_bytes(whole[: len(whole) - 20])
    with pytest.raises(CommandError, match="could not be read to the end"):
        run(*everything(files))
    assert not Area.objects.exists() and not BenchmarkIndicator.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_none_of_laits_is_refused(tmp_path):
    other = write_csv(tmp_path / "other.csv", ["KPI code", "Period", "Value"], [["a", "b", "1"]])
    with pytest.raises(CommandError, match="not one of LAIT's files"):
        run(other)
    workbook = tmp_path / "other.xlsx"
    workbook.write_bytes(xlsx([["KPI code", "Period"]]))
    with pytest.raises(CommandError, match="neither"):
        run(workbook)


@pytest.mark.django_db
def test_parquet_without_pyarrow_says_to_use_the_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "pyarrow_available", lambda: False)
    parquet = tmp_path / "bds_long_0.parquet"
    parquet.write_bytes(b"PAR1 not really")
    with pytest.raises(CommandError, match="needs the optional pyarrow package"):
        run(parquet)


@pytest.mark.django_db
def test_a_dry_run_reports_and_keeps_nothing(files):
    out, _ = run(*everything(files), dry_run=True)
    assert "created 10" in out and "Dry run" in out
    assert not BenchmarkValue.objects.exists() and not Area.objects.exists()
