"""The KPI fixtures hold their sources exactly: the strategy's measures and the Care Programme's
headline figures.

The parser below reads the Children Looked After and Care Leavers Strategy 2022-25, as extracted
from PDF (fixtures/sources/), independently of the fixture. Units, polarity, frequency and
measurement are judgements, explained in fixtures/README.md: these tests check that the fixtures
keep the sources' words and figures, and that the judgements which could hide a mistake (no
polarity, the adoption averages) are the documented ones.
"""

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from kpis.models import KPI, KPIGroup, KPIValue, Origin
from tests.test_seed_fixture import flatten, parse_appendix_c

FIXTURES = Path(__file__).parent.parent / "fixtures"
STRATEGY_FIXTURE = FIXTURES / "cla_strategy_2022_25.json"
PROGRAMME_FIXTURE = FIXTURES / "care_programme_2024_25.json"
STRATEGY_SOURCE = FIXTURES / "sources/cla_strategy_2022_25.txt"
REPORT_SOURCE = FIXTURES / "sources/care_programme_report_cype_committee_2025_03.txt"
APPENDIX_C_SOURCE = FIXTURES / "sources/appendix_c_cype_committee_2025_03.txt"
README = FIXTURES / "README.md"

PAPER = "Care Programme report to the Children, Young People and Education Committee, 5 March 2025"
HEADLINE_GROUP = "Care Programme headline measures"

HEADING = re.compile(r"^(Vision|Priority \d\. .+)$")
MEASURE = "- ✓ "


def parse_measuring_success(text):
    """[(group name, summary, [measure, ...])] from the strategy's "Measuring Success" section.

    A heading is "Vision" or "Priority N. <name> - <summary>"; a measure is "- ✓ <measure>". Any
    other line after the first heading stops the parse, so a measure cannot be skipped silently.
    """
    groups = []
    in_section = False
    for line in text.splitlines():
        line = line.strip()
        if line == "Measuring Success":
            in_section = True
        elif not in_section or not line:
            continue
        elif line == "Governance":
            break
        elif HEADING.match(line):
            name, _, summary = line.partition(" - ")
            groups.append((name, summary, []))
        elif line.startswith(MEASURE):
            groups[-1][2].append(line.removeprefix(MEASURE))
        elif groups:
            raise ValueError(f"Unexpected line under {groups[-1][0]!r}: {line!r}")
    return groups


def _words(text):
    return re.sub(r"\s+", " ", text).strip()


def _source_words():
    """The committee paper and every cell of its Appendix C, as one text to search."""
    cells = [
        cell
        for row in flatten(parse_appendix_c(APPENDIX_C_SOURCE.read_text(encoding="utf-8")))
        for cell in row
    ]
    return "\n".join([_words(REPORT_SOURCE.read_text(encoding="utf-8")), *cells])


def _fixture_objects(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def strategy():
    return parse_measuring_success(STRATEGY_SOURCE.read_text(encoding="utf-8"))


@pytest.fixture
def strategy_catalogue(db):
    call_command("loaddata", "cla_strategy_2022_25", verbosity=0)


@pytest.fixture
def both_catalogues(seed_programme):
    call_command("loaddata", "cla_strategy_2022_25", verbosity=0)


def _strategy_kpis():
    return KPI.objects.exclude(group__name=HEADLINE_GROUP)


def _headline_values():
    return {
        (v.kpi.code, v.period_end): v.value
        for v in KPIValue.objects.filter(kpi__group__name=HEADLINE_GROUP).select_related("kpi")
    }


# The strategy's catalogue


def test_the_strategy_lists_51_measures_under_its_vision_and_four_priorities(strategy):
    assert [(name, len(measures)) for name, _, measures in strategy] == [
        ("Vision", 8),
        ("Priority 1. Emotional and physical health and wellbeing", 9),
        ("Priority 2. Independence and transition to adulthood", 7),
        ("Priority 3. Positive Lived Experiences", 13),
        ("Priority 4. Education and employment", 14),
    ]
    assert sum(len(measures) for _, _, measures in strategy) == 51


def test_the_groups_are_the_strategys_headings_in_order_with_their_summaries(
    strategy, strategy_catalogue
):
    groups = KPIGroup.objects.order_by("position").values_list("name", "summary")
    assert list(groups) == [(name, summary) for name, summary, _ in strategy]
    assert KPIGroup.objects.get(name="Vision").summary == ""


def test_every_measure_is_a_kpi_in_its_group_in_the_strategys_order_and_wording(
    strategy, strategy_catalogue
):
    catalogue = [
        (group.name, [kpi.name for kpi in group.kpis.order_by("position")])
        for group in KPIGroup.objects.order_by("position").prefetch_related("kpis")
    ]
    assert catalogue == [(name, measures) for name, _, measures in strategy]
    for group in KPIGroup.objects.all():
        positions = list(group.kpis.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)), group.name


def test_a_dropped_reordered_or_reworded_measure_would_not_match(strategy):
    """The comparison above is exact: nothing is normalised away, not even a dash."""
    measures = [m for _, _, ms in strategy for m in ms]
    dropped = measures[:10] + measures[11:]
    reordered = measures[:]
    reordered[0], reordered[1] = reordered[1], reordered[0]
    reworded = [m.replace("–", "-") for m in measures]
    for changed in (dropped, reordered, reworded):
        assert changed != measures


def test_names_keep_the_sources_own_spelling_and_typography(strategy_catalogue):
    for name in (
        "% Percentage of Care Leavers in Touch Every 8 Weeks",
        "Oomoo - Open Door & Polaris feedback",
        "% Care Leavers in Suitable Accommodation (17–18-year-olds)",
        "% Care Leavers in EET 19–21-year-olds",
        "Polaris & Open Door - distanced travelled (over 6-month period has the service had the "
        "desired impact)",
        "% Of PEPs completed",
    ):
        assert KPI.objects.filter(name=name).exists(), name


def test_every_strategy_kpi_has_a_definition_and_a_source_and_no_values_or_objectives(
    strategy_catalogue,
):
    assert KPI.objects.count() == 51
    for kpi in KPI.objects.prefetch_related("objectives"):
        assert kpi.definition and kpi.source, kpi.code
        assert not kpi.objectives.exists(), kpi.code
    assert not KPIValue.objects.exists()


def test_codes_are_unique_lower_case_hyphenated_slugs_across_both_fixtures():
    codes = [
        obj["fields"]["code"]
        for path in (STRATEGY_FIXTURE, PROGRAMME_FIXTURE)
        for obj in _fixture_objects(path)
        if obj["model"] == "kpis.kpi"
    ]
    assert len(codes) == len(set(codes)) == 59
    for code in codes:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code) and len(code) <= 40, code


def test_every_percentage_kpi_is_given_a_polarity_unless_the_readme_says_why_not(
    both_catalogues,
):
    readme = README.read_text(encoding="utf-8")
    no_polarity = set(
        KPI.objects.filter(unit=KPI.Unit.PERCENTAGE, polarity=KPI.Polarity.NONE).values_list(
            "code", flat=True
        )
    )
    assert no_polarity == {"cla-ehcp", "care-leavers-ehcp", "cla-open-to-camhs"}
    # Every measure without a polarity, percentage or not, is explained by code.
    for code in KPI.objects.filter(polarity=KPI.Polarity.NONE).values_list("code", flat=True):
        assert f"`{code}`" in readme, code


def test_adoption_a2_and_a10_are_3_year_averages_in_days_where_lower_is_better(
    strategy_catalogue,
):
    for code in ("adoption-a2-order-to-match", "adoption-a10-care-to-adoptive-family"):
        kpi = KPI.objects.get(code=code)
        assert (kpi.unit, kpi.polarity, kpi.measurement) == ("days", "lower", "3yr_average")
    a20 = KPI.objects.get(code="adoption-a20-care-to-placement-order")
    assert (a20.unit, a20.polarity) == ("days", "lower")
    assert a20.name.endswith("placement order being granted (A20)")


def test_judgements_the_brief_named_are_kept(strategy_catalogue):
    assert KPI.objects.get(code="cla-rate").unit == KPI.Unit.RATE_PER_10000
    assert KPI.objects.get(code="cla-placement-moves").polarity == KPI.Polarity.LOWER_IS_BETTER
    assert KPI.objects.get(code="care-leavers").polarity == KPI.Polarity.NONE
    assert KPI.objects.get(code="cla-attainment-8").unit == KPI.Unit.SCORE
    # Progress 8 is a score, whatever the "%" in the strategy's wording says.
    assert KPI.objects.get(code="cla-ks4-progress-8").unit == KPI.Unit.SCORE
    for code in ("oomoo-feedback", "foster-carer-training"):
        assert KPI.objects.get(code=code).unit in (KPI.Unit.SCORE, KPI.Unit.COUNT)


# The Care Programme's headline measures


def test_the_headline_values_are_exactly_as_the_paper_states(seed_programme):
    assert _headline_values() == {
        ("cp-children-in-care", dt.date(2018, 3, 31)): Decimal(834),
        ("cp-children-in-care", dt.date(2025, 1, 31)): Decimal(699),
        ("cp-children-in-residential", dt.date(2025, 2, 1)): Decimal(83),
        ("cp-children-families-budget-variance", dt.date(2024, 3, 31)): Decimal(4531000),
        ("cp-pwp-discharges", dt.date(2024, 12, 31)): Decimal(7),
        ("cp-juno-occupancy", dt.date(2024, 12, 31)): Decimal(63),
        ("cp-mockingbird-carers", dt.date(2024, 12, 31)): Decimal(6),
        ("cp-foster-instead-of-residential", dt.date(2024, 12, 31)): Decimal(4),
        ("cp-in-house-matches-returned-home", dt.date(2024, 12, 31)): Decimal(4),
    }


def test_every_headline_value_is_published_and_names_the_paper_it_came_from(seed_programme):
    values = KPIValue.objects.filter(kpi__group__name=HEADLINE_GROUP)
    assert values.count() == 9
    for value in values:
        assert value.origin == Origin.PUBLISHED
        assert value.source.startswith(PAPER), value.source
        assert value.note


def test_each_headline_figure_appears_in_the_source_paper():
    report = _words(REPORT_SOURCE.read_text(encoding="utf-8"))
    for words in (
        "a peak in 2018, with 834 children in care",
        "699 (January 2025)",
        "As of 1.2.25 there are 83 children in residential provision",
        "an adverse variance of £4,531,000",
        "There have been an additional 4 Q3",
    ):
        assert words in report, words
    appendix_c = _words(APPENDIX_C_SOURCE.read_text(encoding="utf-8"))
    for words in (
        "7 Have been discharged Q3",
        "63% occupancy rate",
        "6 carers in the first satellite",
        "in last quarter 4 young people",
    ):
        assert words in appendix_c, words


def test_every_quotation_in_a_headline_note_or_definition_is_the_papers_own_words(
    seed_programme,
):
    source = _source_words()
    texts = [v.note for v in KPIValue.objects.filter(kpi__group__name=HEADLINE_GROUP)]
    texts += [v.source for v in KPIValue.objects.filter(kpi__group__name=HEADLINE_GROUP)]
    texts += list(
        KPI.objects.filter(group__name=HEADLINE_GROUP).values_list("definition", flat=True)
    )
    for text in texts:
        for quotation in re.findall(r'"([^"]+)"', text):
            assert quotation.rstrip(".") in source, quotation


def test_every_headline_value_is_quoted_from_the_paper_in_its_note(seed_programme):
    source = _source_words()
    for value in KPIValue.objects.filter(kpi__group__name=HEADLINE_GROUP):
        figure = f"{int(value.value):,}"
        quotations = re.findall(r'"([^"]+)"', value.note)
        assert any(
            re.search(rf"(?<![\d,]){re.escape(figure)}(?!,?\d)", q) and q.rstrip(".") in source
            for q in quotations
        ), (value.kpi.code, value.note)


def test_each_headline_measure_evidences_the_objectives_it_bears_on(seed_programme):
    linked = {
        kpi.code: sorted(o.position for o in kpi.objectives.all())
        for kpi in KPI.objects.filter(group__name=HEADLINE_GROUP).prefetch_related("objectives")
    }
    assert linked == {
        "cp-children-in-care": [1, 2],
        "cp-children-in-residential": [4],
        "cp-children-families-budget-variance": [4],
        "cp-pwp-discharges": [1],
        "cp-juno-occupancy": [4],
        "cp-mockingbird-carers": [3],
        "cp-foster-instead-of-residential": [3],
        "cp-in-house-matches-returned-home": [1, 3],
    }


def test_no_kpi_value_in_either_fixture_is_illustrative(both_catalogues):
    for path in (STRATEGY_FIXTURE, PROGRAMME_FIXTURE):
        for obj in _fixture_objects(path):
            if "origin" in obj["fields"]:
                assert obj["fields"]["origin"] != Origin.ILLUSTRATIVE, (path.name, obj["pk"])
    assert not KPIValue.objects.filter(origin=Origin.ILLUSTRATIVE).exists()


def test_both_fixtures_load_together_and_loading_them_again_changes_nothing(both_catalogues):
    counts = (KPIGroup.objects.count(), KPI.objects.count(), KPIValue.objects.count())
    assert counts == (6, 59, 9)
    call_command("loaddata", "care_programme_2024_25", "cla_strategy_2022_25", verbosity=0)
    assert (KPIGroup.objects.count(), KPI.objects.count(), KPIValue.objects.count()) == counts
