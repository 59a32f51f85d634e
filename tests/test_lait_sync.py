"""DfE's published figures reach the home council's KPIs: values for its published periods only,
neighbour/region/England comparators, and national ranks with DfE's quartile bands; a RELATED
measure gets nothing, and a second sync changes nothing.

A small LAIT data set is built in tmp_path: Wirral (344), its 10 statistical neighbours (two
suppressed, one with no row), the North West, England and 12 other LAs. Every expected figure
below is worked out by hand in the comments.
"""

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kpis.lait import sync
from kpis.models import (
    KPI,
    BenchmarkIndicator,
    BenchmarkValue,
    ComparatorValue,
    KPIRank,
    KPIValue,
    Origin,
)
from tests.import_files import xlsx
from tests.kpi_factories import make_kpi, make_value
from tests.test_lait_import import DATA_HEADER, DICTIONARY_HEADER, entry, write_csv

D = dt.date
MARCH_2025, MARCH_2024 = D(2025, 3, 31), D(2024, 3, 31)
DFE = Origin.DFE

HOME = ("Wirral", 344)
NEIGHBOURS = [(f"Neighbour {n}", 300 + n) for n in range(1, 11)]
OTHERS = [(f"Other {n}", 400 + n) for n in range(1, 13)]
REGION, ENGLAND = ("North West", 981), ("England", 970)
NUMBERS = dict([HOME, *NEIGHBOURS, *OTHERS, REGION, ENGLAND])

# One set of 2025 figures, used by a higher-is-better (H) and a lower-is-better (L) indicator.
FIGURES_2025 = {
    "Wirral": "60",
    # Neighbours: 3 and 6 suppressed, 10 has no row. Published: 50 70 60 80 40 66 55 (7 of them).
    "Neighbour 1": "50", "Neighbour 2": "70", "Neighbour 3": "-", "Neighbour 4": "60",
    "Neighbour 5": "80", "Neighbour 6": "-", "Neighbour 7": "40", "Neighbour 8": "66",
    "Neighbour 9": "55",
    "Other 1": "90", "Other 2": "85", "Other 3": "60", "Other 4": "60", "Other 5": "30",
    "Other 6": "20", "Other 7": "75", "Other 8": "45", "Other 9": "x", "Other 10": "35",
    "Other 11": "62", "Other 12": "58",
    "North West": "57.5",
    "England": "59",
}  # fmt: skip
# Neighbour mean: (50+70+60+80+40+66+55)/7 = 421/7 = 60.142857... -> 60.1429, from 7.
# LAs with a figure: Wirral, 7 neighbours, 11 others = 19. Sorted:
#   20 30 35 40 45 50 55 58 60 60 60 60 62 66 70 75 80 85 90
# Quartiles (R type 7): Q1 = v[4.5] = 47.5, Q2 = v[9] = 60, Q3 = v[13.5] = 68.
# H (higher is better): 7 LAs above 60 (90 85 80 75 70 66 62) -> rank 8 of 19, shared with
#   the three other 60s. Band: 60 is not above Q2 (60) but is above Q1 -> C.
# L (lower is better): 8 LAs below 60 (20 30 35 40 45 50 55 58) -> rank 9 of 19. Band: 60 is
#   not at or below Q1 but is at or below Q2 -> B.

FIGURES_2024 = {"Wirral": "-", "Neighbour 1": "10", "Neighbour 2": "20", "England": "12.5"}
# 2024: Wirral suppressed -> no value, no rank; neighbours (10+20)/2 = 15 from 2; no region row.


def row(code, years, area, value):
    number = NUMBERS[area]
    region = "NA" if area in ("North West", "England") else "North West"
    return [code, f"{code} item", years, area, value, f"{number}.0", region]


def data_rows():
    rows = []
    for code in ("H", "L", "Q"):
        rows += [row(code, "2025", area, value) for area, value in FIGURES_2025.items()]
        rows += [row(code, "2024", area, value) for area, value in FIGURES_2024.items()]
    rows += [row("N", "2025", "Wirral", "681"), row("N", "2025", "England", "81770")]
    rows += [row("N", "2025", name, str(600 + n)) for n, (name, _) in enumerate(NEIGHBOURS)]
    return rows


DICTIONARY = [
    entry("H", "Financial Year", polarity="High", dps="1"),
    entry("L", "Financial Year", polarity="Low", dps="1"),
    entry("Q", "Financial Year", polarity="High", no_quartile="N"),
    entry("N", "Annual", polarity="-", dps="0"),
]


def la_list():
    rows = [["LA Number", "LA Name", "Region", "Type"]]
    for name, number in [HOME, *NEIGHBOURS, *OTHERS]:
        rows.append([number, name, "North West", "MD"])
    rows += [[REGION[1], REGION[0], "NA", "NA"], [ENGLAND[1], ENGLAND[0], "NA", "NA"]]
    return rows


def neighbour_sheet():
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
    for position in range(1, 11):
        header += [f"SN{position}", "SNP"]
    wirral = [344, "Wirral", 344, 5, "North West"]
    for _, number in NEIGHBOURS:
        wirral += [number, "Close"]
    return [["A"], [1], header, wirral]


@pytest.fixture
def lait_files(tmp_path):
    (tmp_path / "sn.xlsx").write_bytes(xlsx(neighbour_sheet(), sheet="LA SN Groups"))
    (tmp_path / "las.xlsx").write_bytes(xlsx(la_list(), sheet="Sheet1"))
    return [
        write_csv(tmp_path / "bds_long.csv", DATA_HEADER, data_rows()),
        write_csv(tmp_path / "dictionary.csv", DICTIONARY_HEADER, DICTIONARY),
        tmp_path / "sn.xlsx",
        tmp_path / "las.xlsx",
    ]


def import_lait(*paths):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_lait", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sync_lait():
    out = io.StringIO()
    call_command("sync_lait", stdout=out)
    return out.getvalue()


def same(code, benchmark, **fields):
    return make_kpi(code, benchmark_code=benchmark, benchmark_relation="same", **fields)


@pytest.fixture
def kpis(db):
    return {
        "high": same("high", "H", polarity="higher", frequency="annual"),
        "low": same("low", "L", polarity="lower", frequency="annual"),
        "banded-not": same("banded-not", "Q", polarity="higher", frequency="annual"),
        # The KPI has a polarity of its own, DfE's indicator none: DfE's decides, so no rank.
        "count": same("count", "N", unit="count", polarity="lower", frequency="annual"),
        "related": make_kpi(
            "related", benchmark_code="H", benchmark_relation="related", frequency="annual"
        ),
    }


@pytest.fixture
def loaded(kpis, lait_files):
    import_lait(*lait_files)
    return kpis


def values(kpi):
    return {v.period_end: (v.value, v.origin, v.source) for v in kpi.values.all()}


def comparators(kpi, end):
    return {
        c.comparator: (c.value, c.contributors)
        for c in ComparatorValue.objects.filter(kpi=kpi, period_end=end)
    }


def rank(kpi, end):
    found = KPIRank.objects.filter(kpi=kpi, period_end=end).first()
    return found and (found.rank, found.out_of, found.band)


def everything():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (KPIValue, ComparatorValue, KPIRank)
    ]


# --- The rules, by hand ----------------------------------------------------------------------


def test_quartiles_are_rs_default_and_bands_follow_dfes_boundaries():
    figures = [
        Decimal(v) for v in "20 30 35 40 45 50 55 58 60 60 60 60 62 66 70 75 80 85 90".split()
    ]
    assert sync.quartiles(figures) == (Decimal("47.5"), Decimal(60), Decimal(68))
    high, low = BenchmarkIndicator.Polarity.HIGH, BenchmarkIndicator.Polarity.LOW
    assert [sync.band(Decimal(v), figures, high) for v in (90, 68, 61, 60, 48, 47.5, 20)] == list(
        "ABBCCDD"
    )
    assert [sync.band(Decimal(v), figures, low) for v in (20, 47.5, 48, 60, 61, 68, 69)] == list(
        "AABBCCD"
    )
    assert sync.competition_rank(Decimal(60), figures, high) == 8
    assert sync.competition_rank(Decimal(60), figures, low) == 9
    assert sync.competition_rank(Decimal(90), figures, high) == 1


def test_dfes_polarity_meets_the_kpis_in_one_mapping():
    dfe, ours = BenchmarkIndicator.Polarity, KPI.Polarity
    assert [p.as_kpi_polarity() for p in dfe] == [
        ours.HIGHER_IS_BETTER,
        ours.LOWER_IS_BETTER,
        ours.NONE,
    ]
    assert BenchmarkIndicator(polarity="low").kpi_polarity == ours.LOWER_IS_BETTER


# --- The sync --------------------------------------------------------------------------------


def test_the_home_councils_published_figures_become_dfe_values(loaded):
    assert values(loaded["high"]) == {
        MARCH_2025: (Decimal(60), DFE, "DfE LAIT: H (2025)"),
    }  # 2024 is suppressed: no value
    assert values(loaded["count"]) == {MARCH_2025: (Decimal(681), DFE, "DfE LAIT: N (2025)")}


def test_a_suppressed_home_figure_makes_no_value_and_is_reported_as_not_published(loaded):
    stored = BenchmarkValue.objects.get(
        indicator__code="H", area__name="Wirral", period_label="2024"
    )
    assert (stored.status, stored.value) == (BenchmarkValue.Status.SUPPRESSED, None)
    assert not KPIValue.objects.filter(kpi=loaded["high"], period_end=MARCH_2024).exists()
    assert rank(loaded["high"], MARCH_2024) is None
    assert "high <- H: 1 published periods; not published (suppressed): 2024" in sync_lait()


def test_neighbours_are_the_mean_of_those_with_a_figure_and_say_how_many(loaded):
    assert comparators(loaded["high"], MARCH_2025) == {
        "neighbours": (Decimal("60.1429"), 7),
        "region": (Decimal("57.5"), None),
        "england": (Decimal(59), None),
    }
    # The home council suppressed: its comparators are still there; no region figure, no row.
    assert comparators(loaded["high"], MARCH_2024) == {
        "neighbours": (Decimal(15), 2),
        "england": (Decimal("12.5"), None),
    }
    assert set(ComparatorValue.objects.values_list("origin", flat=True)) == {DFE}


def test_the_benchmark_page_shows_the_comparators_the_sync_stores(loaded):
    from kpis.benchmarks import benchmark_for_page

    for code in ("high", "count"):
        stored = {
            (c.period_end, c.comparator): (c.value, c.contributors)
            for c in ComparatorValue.objects.filter(kpi=loaded[code])
        }
        shown = {}
        for period in benchmark_for_page(code).trend:
            for kind, value in (
                ("neighbours", period.neighbours),
                ("region", period.region),
                ("england", period.england),
            ):
                if value is not None:
                    contributors = period.contributors if kind == "neighbours" else None
                    shown[period.period_end, kind] = (
                        value.quantize(Decimal("0.0001")),
                        contributors,
                    )
        assert shown == stored and stored


def test_rank_and_band_by_polarity_with_ties(loaded):
    assert rank(loaded["high"], MARCH_2025) == (8, 19, "C")
    assert rank(loaded["low"], MARCH_2025) == (9, 19, "B")


def test_no_rank_without_dfe_polarity_or_with_no_quartile(loaded):
    assert not KPIRank.objects.filter(kpi__in=[loaded["count"], loaded["banded-not"]]).exists()
    assert values(loaded["banded-not"])  # it still has its values
    out = sync_lait()
    assert "count <- N: 1 published periods; no rank: DfE gives the indicator no polarity" in out
    assert "no rank: DfE marks the indicator No_Quartile" in out


def test_a_kpi_whose_polarity_contradicts_dfes_gets_no_rank(loaded):
    KPI.objects.filter(code="low").update(polarity="higher")
    assert "contradicts DfE's" in sync_lait()
    assert rank(loaded["low"], MARCH_2025) is None


def test_a_related_measure_gets_no_figures(loaded):
    related = loaded["related"]
    assert not related.values.exists()
    assert not related.comparator_values.exists()
    assert not related.ranks.exists()


def test_a_second_run_changes_nothing(loaded):
    before = everything()
    out = sync_lait()
    assert everything() == before
    assert "KPI values: created 0, updated 0, unchanged 4, deleted 0" in out
    assert "comparator values: created 0, updated 0, unchanged 17, deleted 0" in out
    assert "ranks: created 0, updated 0, unchanged 2, deleted 0" in out


def test_a_changed_figure_is_updated_in_place_and_a_dropped_mapping_is_removed(loaded):
    value = loaded["high"].values.get()
    BenchmarkValue.objects.filter(
        indicator__code="H", area__name="Wirral", period_label="2025"
    ).update(value=Decimal(91))
    KPI.objects.filter(code="low").update(benchmark_relation="related")
    out = sync_lait()
    value.refresh_from_db()
    assert value.value == 91  # the same row
    assert rank(loaded["high"], MARCH_2025) == (1, 19, "A")  # 91 beats everyone's 90
    assert not loaded["low"].values.exists() and not loaded["low"].ranks.exists()
    assert not loaded["low"].comparator_values.exists()
    assert "KPI values: created 0, updated 1, unchanged 2, deleted 1" in out


def test_dfes_figure_takes_a_period_that_held_the_councils_own_and_keeps_it_beside(
    kpis, lait_files
):
    make_value(kpis["count"], MARCH_2025, "680", origin=Origin.PUBLISHED, source="March paper")
    out, _ = import_lait(*lait_files)
    assert values(kpis["count"]) == {MARCH_2025: (Decimal(681), DFE, "DfE LAIT: N (2025)")}
    figure = kpis["count"].values.get()
    assert (figure.local_value, figure.local_source) == (Decimal(680), "March paper")
    assert figure.dfe_published_on is not None
    assert "kept: 2025-03-31: the council's own figure 680 kept beside DfE's (DfE's is 681)" in out
    assert "KPI values: created 3, updated 1, unchanged 0, deleted 0" in out
    # The history says DfE's figure arrived; a second sync finds nothing to do.
    assert figure.history.latest().history_change_reason.startswith("DfE published")
    assert "KPI values: created 0, updated 0, unchanged 4, deleted 0" in sync_lait()
    assert kpis["count"].values.get().local_value == 680


def test_a_dfe_figure_keyed_in_by_hand_holds_its_period(kpis, lait_files):
    make_value(kpis["count"], MARCH_2025, "680", origin=DFE, source="DfE's SSDA903 table")
    out, _ = import_lait(*lait_files)
    assert values(kpis["count"]) == {MARCH_2025: (Decimal(680), DFE, "DfE's SSDA903 table")}
    assert "a DfE figure keyed in by hand, 680, kept (DfE's is 681)" in out


def test_when_dfe_no_longer_publishes_a_period_the_councils_own_figure_is_its_value_again(
    kpis, lait_files
):
    make_value(kpis["count"], MARCH_2025, "680", source="Return")
    import_lait(*lait_files)
    KPI.objects.filter(code="count").update(benchmark_relation="related")
    sync_lait()
    assert values(kpis["count"]) == {MARCH_2025: (Decimal(680), Origin.RETURN, "Return")}
    assert kpis["count"].values.get().local_value is None


def test_illustrative_figures_of_a_synced_kpi_are_removed(kpis, lait_files):
    make_value(kpis["high"], D(2023, 3, 31), "12", origin=Origin.ILLUSTRATIVE)
    make_value(kpis["related"], D(2023, 3, 31), "12", origin=Origin.ILLUSTRATIVE)
    import_lait(*lait_files)
    assert not kpis["high"].values.filter(origin=Origin.ILLUSTRATIVE).exists()
    assert kpis["related"].values.filter(origin=Origin.ILLUSTRATIVE).exists()


def test_import_lait_syncs_at_the_end_and_a_dry_run_does_not(kpis, lait_files):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_lait", *map(str, lait_files), dry_run=True, stdout=out, stderr=err)
    assert "DfE figures were not synced" in out.getvalue()
    assert not KPIValue.objects.exists()
    out, _ = import_lait(*lait_files)
    assert "DfE figures for Wirral (LA 344): 4 KPIs the same measure as DfE's" in out
    assert KPIValue.objects.filter(origin=DFE).count() == 4  # one 2025 figure each


def test_without_the_home_council_nothing_is_synced(kpis, lait_files):
    _, err = import_lait(lait_files[1])  # the dictionary alone: no areas
    assert "No area has LA number 344" in err
    with pytest.raises(CommandError, match="No area has LA number 344"):
        sync_lait()


def test_the_home_council_is_the_setting(loaded, settings):
    settings.HOME_LA_NUMBER = 301  # Neighbour 1, which has no neighbours of its own
    out = sync_lait()
    assert "DfE figures for Neighbour 1 (LA 301)" in out
    assert values(loaded["high"]) == {
        MARCH_2025: (Decimal(50), DFE, "DfE LAIT: H (2025)"),
        MARCH_2024: (Decimal(10), DFE, "DfE LAIT: H (2024)"),
    }
    assert "neighbours" not in comparators(loaded["high"], MARCH_2025)


# --- Illustrative data -----------------------------------------------------------------------


def test_demo_data_skips_kpis_dfe_publishes_but_still_sets_their_targets(kpis, capsys):
    make_value(kpis["high"], D(2023, 3, 31), "12", origin=Origin.ILLUSTRATIVE, source="old")
    call_command("generate_demo_kpis")
    out = capsys.readouterr().out
    assert (
        "Skipped values and comparators for 4 KPIs that DfE publishes (the same measure: "
        "sync_lait writes their real figures), targets only; deleted their 1 illustrative "
        "value and 0 illustrative comparator values." in out
    )
    for code in ("high", "low", "banded-not", "count"):
        assert not kpis[code].values.exists() and not kpis[code].comparator_values.exists()
    assert kpis["high"].targets.exists()  # targets stay: DfE sets none
    assert kpis["related"].values.filter(origin=Origin.ILLUSTRATIVE).exists()


# --- The shipped mapping ---------------------------------------------------------------------

# Real Wirral figures for 2025 (DfE LAIT), and the Year_Type the dictionary gives each.
REAL_2025 = {
    "LAC": ("Annual", "103"),
    "LACnum": ("Annual", "681"),
    "LACnum_Start": ("Financial Year", "160"),
    "LAC_Foster_Placements": ("Financial Year", "70"),
    "%_of LAC Adopted": ("Financial Year", "7"),
    "LACHealth%": ("Financial Year", "90"),
    "LACDental%": ("Financial Year", "78"),
    "CareLeaverEET": ("Financial Year", "57"),
    "CareLeaverAcc": ("Financial Year", "96"),
    "LACStable_2016on": ("Financial Year", "9"),  # related only: 3+ placements in a year
}


def test_the_shipped_mapping_puts_wirrals_published_figures_on_the_strategy_kpis(db, tmp_path):
    call_command("loaddata", "care_programme_2024_25", "cla_strategy_2022_25", verbosity=0)
    rows = [row(code, "2025", "Wirral", value) for code, (_, value) in REAL_2025.items()]
    dictionary = [
        entry(code, year_type, polarity="High") for code, (year_type, _) in REAL_2025.items()
    ]
    (tmp_path / "las.xlsx").write_bytes(xlsx(la_list(), sheet="Sheet1"))
    import_lait(
        write_csv(tmp_path / "bds.csv", DATA_HEADER, rows),
        write_csv(tmp_path / "dictionary.csv", DICTIONARY_HEADER, dictionary),
        tmp_path / "las.xlsx",
    )
    figures = {
        v.kpi.code: v.value
        for v in KPIValue.objects.filter(origin=DFE, period_end=MARCH_2025).select_related("kpi")
    }
    assert figures == {
        "cla-rate": 103,
        "cp-children-in-care": 681,
        "cla-starters": 160,
        "cla-foster-placements": 70,
        "cla-adopted": 7,
        "cla-health-checks": 90,
        "cla-dental-checks": 78,
        "care-leavers-eet-19-21": 57,
        "care-leavers-accommodation-19-21": 96,
    }
    # 3+ placements in a year is not 2+ moves in two years: linked, but no figure written.
    placement_moves = KPI.objects.get(code="cla-placement-moves")
    assert (placement_moves.benchmark_code, placement_moves.benchmark_relation) == (
        "LACStable_2016on",
        "related",
    )
    assert not placement_moves.values.exists()


DICTIONARY_FILE = Path("/work/shared/data/lait/lait_data_dictionary.csv")
UNITS = {"Rate per 10,000": "rate_10000", "Average Score": "score", "Score": "score"}


@pytest.mark.skipif(not DICTIONARY_FILE.exists(), reason="DfE's data dictionary is not here")
def test_same_links_agree_with_dfes_unit_polarity_and_decimal_places():
    from kpis.lait import reading

    indicators = {
        r.code: r for r in reading.read_dictionary(reading.identify(DICTIONARY_FILE)).records
    }
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    checked = 0
    for name in ("cla_strategy_2022_25.json", "care_programme_2024_25.json"):
        for obj in json.loads((fixtures / name).read_text(encoding="utf-8")):
            fields = obj["fields"]
            if obj["model"] != "kpis.kpi" or not fields.get("benchmark_code"):
                continue
            indicator = indicators[fields["benchmark_code"]]  # every code, SAME or not, exists
            if fields["benchmark_relation"] != "same":
                continue
            checked += 1
            axis = indicator.unit
            unit = UNITS.get(axis) or (
                "percentage"
                if axis.startswith("%")
                else "count"
                if axis.startswith("Number")
                else axis
            )
            assert fields["unit"] == unit, fields["code"]
            polarity = {"high": "higher", "low": "lower"}.get(indicator.polarity, "none")
            if fields["code"] != "cp-children-in-care":  # its own aim: fixtures/README.md
                assert fields["polarity"] == polarity, fields["code"]
            if indicator.decimal_places is not None:
                assert fields["decimal_places"] == indicator.decimal_places, fields["code"]
    assert checked == 15
