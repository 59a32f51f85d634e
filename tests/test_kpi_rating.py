"""The rules for reading a KPI, as tables: how a value is printed, how it is rated against its
target (RAG) and which way it is going (direction of travel).

The rules, as kpis/rating.py states them:
- Green: on or better than target. Amber: short of it by no more than the amber tolerance.
  Red: further off. A measure with no polarity, no target or no value is not rated.
- Figures are rated as shown: a value that prints as the target is exactly on target.
- Direction of travel is improving or worsening by polarity, never a bare "increase".
"""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kpis.models import KPIRank, KPITarget
from kpis.rating import (
    RAG,
    Travel,
    describe_target,
    direction,
    format_difference,
    format_value,
    rank_text,
    rate,
)

D = Decimal
HIGHER, LOWER, NONE = "higher", "lower", "none"
UNITS = ["count", "percentage", "rate_10000", "days", "currency", "score"]


def shown(value, places):
    """The value as a committee paper prints it (half up, like the rules)."""
    return D(value).quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- Formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "places", "text"),
    [
        (D("63"), "percentage", 1, "63.0%"),
        (D("62.96"), "percentage", 1, "63.0%"),
        (D("0.05"), "percentage", 1, "0.1%"),
        (D("100"), "percentage", 0, "100%"),
        (D("87"), "rate_10000", 0, "87 per 10,000"),
        (D("12345.67"), "rate_10000", 1, "12,345.7 per 10,000"),
        (D("412"), "days", 0, "412 days"),
        (D("1"), "days", 0, "1 day"),
        (D("1.4"), "days", 0, "1 day"),
        (D("0"), "days", 0, "0 days"),
        (D("1.5"), "days", 1, "1.5 days"),
        (D("1"), "days", 1, "1.0 days"),
        (D("1234"), "days", 0, "1,234 days"),
        (D("4531000"), "currency", 0, "£4,531,000"),
        (D("-1200"), "currency", 0, "-£1,200"),
        (D("-4531000.5"), "currency", 0, "-£4,531,001"),
        (D("1234.5"), "currency", 2, "£1,234.50"),
        (D("-0.4"), "currency", 0, "£0"),  # rounds to nothing: no minus sign on zero
        (D("699"), "count", 0, "699"),
        (D("12345"), "count", 0, "12,345"),
        (D("1234567.891"), "count", 2, "1,234,567.89"),
        (D("-0.4"), "count", 0, "0"),
        (D("3.456"), "score", 2, "3.46"),
        (D("2.5"), "score", 0, "3"),  # half up, as a paper would round
        (D("3.5"), "score", 4, "3.5000"),
        (None, "percentage", 1, "No data"),
        (None, "currency", 0, "No data"),
    ],
)
def test_a_value_prints_in_its_unit(value, unit, places, text):
    assert format_value(value, unit, places) == text


@pytest.mark.parametrize(
    ("difference", "unit", "places", "text"),
    [
        (D("2.5"), "percentage", 1, "2.5 percentage points"),
        (D("-2.5"), "percentage", 1, "2.5 percentage points"),
        (D("1"), "percentage", 0, "1 percentage point"),
        (D("1"), "percentage", 1, "1.0 percentage points"),
        (D("-1200"), "currency", 0, "£1,200"),
        (D("-3"), "days", 0, "3 days"),
        (D("-1"), "days", 0, "1 day"),
        (D("7"), "rate_10000", 0, "7 per 10,000"),
        (D("-1135"), "count", 0, "1,135"),
        (D("0.25"), "score", 2, "0.25"),
    ],
)
def test_a_difference_is_a_size_in_words_that_suit_the_unit(difference, unit, places, text):
    assert format_difference(difference, unit, places) == text


@pytest.mark.parametrize(
    ("tolerance", "kind", "text"),
    [
        (D(0), "absolute", "70.0%"),
        (D("5.0000"), "absolute", "70.0% (amber within 5.0 percentage points)"),
        (D("2.5000"), "percent", "70.0% (amber within 2.5% of the target)"),
        (D("10.0000"), "percent", "70.0% (amber within 10% of the target)"),
    ],
)
def test_a_target_is_named_with_its_amber_tolerance(tolerance, kind, text):
    target = KPITarget(value=D(70), amber_tolerance=tolerance, tolerance_kind=kind)
    assert describe_target(target, "percentage", 1) == text


def test_a_rank_is_named_with_its_band_and_nothing_without_one():
    assert rank_text(KPIRank(rank=34, out_of=152, band="B")) == "Ranked 34 of 152, band B"
    assert rank_text(None) == ""


# --- RAG: every unit, every polarity ---------------------------------------------------------

# unit, decimal places, target, absolute amber tolerance, smallest step that shows
UNIT_CASES = [
    ("count", 0, D("700"), D("20"), D("1")),
    ("percentage", 1, D("63.0"), D("2.0"), D("0.1")),
    ("rate_10000", 0, D("87"), D("5"), D("1")),
    ("days", 0, D("412"), D("30"), D("1")),
    ("currency", 0, D("4531000"), D("100000"), D("1")),
    ("score", 2, D("3.50"), D("0.25"), D("0.01")),
]

# name, how far from target in "worse" steps (negative is better), expected colour
POSITIONS = [
    ("exactly on target", "0", RAG.GREEN),
    ("just better than target", "-step", RAG.GREEN),
    ("well better than target", "-tolerance*3", RAG.GREEN),
    ("just short of target", "step", RAG.AMBER),
    ("exactly on the amber tolerance", "tolerance", RAG.AMBER),
    ("just beyond the amber tolerance", "tolerance+step", RAG.RED),
    ("well beyond the amber tolerance", "tolerance*3", RAG.RED),
]


def _offset(expression, tolerance, step):
    return {
        "0": D(0),
        "-step": -step,
        "-tolerance*3": -tolerance * 3,
        "step": step,
        "tolerance": tolerance,
        "tolerance+step": tolerance + step,
        "tolerance*3": tolerance * 3,
    }[expression]


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
@pytest.mark.parametrize(("position", "worse_by", "rag"), POSITIONS, ids=[p[0] for p in POSITIONS])
@pytest.mark.parametrize(
    ("unit", "places", "target", "tolerance", "step"), UNIT_CASES, ids=[u[0] for u in UNIT_CASES]
)
def test_rag_for_every_unit_and_polarity(
    unit, places, target, tolerance, step, position, worse_by, rag, polarity
):
    worse = _offset(worse_by, tolerance, step)
    value = target - worse if polarity == HIGHER else target + worse
    rating = rate(
        value, target=target, tolerance=tolerance, polarity=polarity, unit=unit, places=places
    )
    assert rating.rag is rag, rating.explanation
    assert rating.explanation.startswith(rag.key.capitalize() + ": ")
    if rag is RAG.GREEN:
        rule = "at or above" if polarity == HIGHER else "at or below"
        assert rating.explanation.endswith(f"Rule: {rule} target is green.")
    else:
        gap = format_difference(worse, unit, places)
        allowed = format_difference(tolerance, unit, places)
        where = "within" if rag is RAG.AMBER else "beyond"
        assert (
            f"{gap} worse than the target of {format_value(target, unit, places)}, "
            f"{where} the amber tolerance of {allowed}." in rating.explanation
        )


@pytest.mark.parametrize("polarity", [HIGHER, LOWER, NONE])
@pytest.mark.parametrize("unit", UNITS)
def test_no_value_is_not_rated(polarity, unit):
    rating = rate(None, target=D("10"), tolerance=D("1"), polarity=polarity, unit=unit)
    assert rating.rag is RAG.NONE
    assert rating.explanation == "No data to rate."


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
@pytest.mark.parametrize("unit", UNITS)
def test_no_target_is_not_rated(polarity, unit):
    rating = rate(D("10"), target=None, polarity=polarity, unit=unit)
    assert rating.rag is RAG.NONE
    assert rating.explanation == "Not rated: no target is set for this year."


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("value", [D("5"), D("10"), D("15")])
def test_a_measure_with_no_polarity_is_never_rated_even_with_a_target(unit, value):
    rating = rate(value, target=D("10"), tolerance=D("1"), polarity=NONE, unit=unit)
    assert rating.rag is RAG.NONE
    assert "neither higher nor lower is better" in rating.explanation


# The sentences councillors read, whole.
@pytest.mark.parametrize(
    ("value", "target", "tolerance", "percent", "polarity", "unit", "places", "rag", "sentence"),
    [
        (
            D("63.0"), D("63.0"), D("2"), False, HIGHER, "percentage", 1, RAG.GREEN,
            "Green: exactly on target. Rule: at or above target is green.",
        ),
        (
            D("65.5"), D("63.0"), D("2"), False, HIGHER, "percentage", 1, RAG.GREEN,
            "Green: 2.5 percentage points better than the target of 63.0%. "
            "Rule: at or above target is green.",
        ),
        (
            D("61.0"), D("63.0"), D("2"), False, HIGHER, "percentage", 1, RAG.AMBER,
            "Amber: 2.0 percentage points worse than the target of 63.0%, "
            "within the amber tolerance of 2.0 percentage points.",
        ),
        (
            D("60.9"), D("63.0"), D("2"), False, HIGHER, "percentage", 1, RAG.RED,
            "Red: 2.1 percentage points worse than the target of 63.0%, "
            "beyond the amber tolerance of 2.0 percentage points.",
        ),
        (
            D("80"), D("87"), D("5"), False, LOWER, "rate_10000", 0, RAG.GREEN,
            "Green: 7 per 10,000 better than the target of 87 per 10,000. "
            "Rule: at or below target is green.",
        ),
        (
            D("412"), D("412"), D("30"), False, LOWER, "days", 0, RAG.GREEN,
            "Green: exactly on target. Rule: at or below target is green.",
        ),
        (
            D("450"), D("412"), D("30"), False, LOWER, "days", 0, RAG.RED,
            "Red: 38 days worse than the target of 412 days, "
            "beyond the amber tolerance of 30 days.",
        ),
        (
            D("21"), D("20"), D("0"), False, LOWER, "days", 0, RAG.RED,
            "Red: 1 day worse than the target of 20 days, beyond the amber tolerance of 0 days.",
        ),
        (
            D("4600000"), D("4531000"), D("100000"), False, LOWER, "currency", 0, RAG.AMBER,
            "Amber: £69,000 worse than the target of £4,531,000, "
            "within the amber tolerance of £100,000.",
        ),
        (
            D("690"), D("700"), D("20"), False, HIGHER, "count", 0, RAG.AMBER,
            "Amber: 10 worse than the target of 700, within the amber tolerance of 20.",
        ),
        (
            D("3.20"), D("3.50"), D("0.25"), False, HIGHER, "score", 2, RAG.RED,
            "Red: 0.30 worse than the target of 3.50, beyond the amber tolerance of 0.25.",
        ),
        # Percent-kind tolerance: 10% of the target.
        (
            D("56.7"), D("63.0"), D("10"), True, HIGHER, "percentage", 1, RAG.AMBER,
            "Amber: 6.3 percentage points worse than the target of 63.0%, "
            "within the amber tolerance of 10% of the target (6.3 percentage points).",
        ),
        (
            D("56.6"), D("63.0"), D("10"), True, HIGHER, "percentage", 1, RAG.RED,
            "Red: 6.4 percentage points worse than the target of 63.0%, "
            "beyond the amber tolerance of 10% of the target (6.3 percentage points).",
        ),
        (
            D("440"), D("400"), D("10"), True, LOWER, "days", 0, RAG.AMBER,
            "Amber: 40 days worse than the target of 400 days, "
            "within the amber tolerance of 10% of the target (40 days).",
        ),
        (
            D("441"), D("400"), D("10"), True, LOWER, "days", 0, RAG.RED,
            "Red: 41 days worse than the target of 400 days, "
            "beyond the amber tolerance of 10% of the target (40 days).",
        ),
        (
            D("4984100"), D("4531000"), D("10"), True, LOWER, "currency", 0, RAG.AMBER,
            "Amber: £453,100 worse than the target of £4,531,000, "
            "within the amber tolerance of 10% of the target (£453,100).",
        ),
        (
            D("58"), D("63"), D("12.5"), True, HIGHER, "percentage", 0, RAG.AMBER,
            "Amber: 5 percentage points worse than the target of 63%, "
            "within the amber tolerance of 12.5% of the target (8 percentage points).",
        ),
    ],
)  # fmt: skip
def test_the_explanation_says_how_far_from_target_and_which_rule(
    value, target, tolerance, percent, polarity, unit, places, rag, sentence
):
    rating = rate(
        value,
        target=target,
        tolerance=tolerance,
        tolerance_is_percent=percent,
        polarity=polarity,
        unit=unit,
        places=places,
    )
    assert (rating.rag, rating.explanation) == (rag, sentence)


# Rated as shown: what prints as the target is on target, whatever digits lie beyond.
@pytest.mark.parametrize(
    ("value", "target", "polarity", "unit", "places", "rag"),
    [
        (D("62.96"), D("63.0"), HIGHER, "percentage", 1, RAG.GREEN),  # shows 63.0%
        (D("62.94"), D("63.0"), HIGHER, "percentage", 1, RAG.AMBER),  # shows 62.9%
        (D("63.04"), D("63.0"), LOWER, "percentage", 1, RAG.GREEN),  # shows 63.0%
        (D("63.05"), D("63.0"), LOWER, "percentage", 1, RAG.AMBER),  # shows 63.1% (half up)
        (D("63.0"), D("63.04"), HIGHER, "percentage", 1, RAG.GREEN),  # the target shows 63.0%
        (D("699.5"), D("700"), HIGHER, "count", 0, RAG.GREEN),  # shows 700
        (D("699.49"), D("700"), HIGHER, "count", 0, RAG.AMBER),  # shows 699
        (D("412.4"), D("412"), LOWER, "days", 0, RAG.GREEN),  # shows 412 days
        (D("4531000.49"), D("4531000"), LOWER, "currency", 0, RAG.GREEN),
        (D("3.495"), D("3.50"), HIGHER, "score", 2, RAG.GREEN),
        (D("86.6"), D("87"), HIGHER, "rate_10000", 0, RAG.GREEN),
    ],
)
def test_a_value_that_shows_as_the_target_is_exactly_on_target(
    value, target, polarity, unit, places, rag
):
    rating = rate(
        value, target=target, tolerance=D("1"), polarity=polarity, unit=unit, places=places
    )
    assert rating.rag is rag, rating.explanation
    if rag is RAG.GREEN:
        assert rating.explanation.startswith("Green: exactly on target.")


# Bugs found by these tables (fixed in kpis/rating.py).
def test_the_tolerance_is_judged_as_shown_so_the_sentence_never_contradicts_the_colour():
    # 10% of 87 is 8.7, shown as 9: a shortfall of 9 is within what the paper says is allowed.
    rating = rate(
        D("78"),
        target=D("87"),
        tolerance=D("10"),
        tolerance_is_percent=True,
        polarity=HIGHER,
        unit="rate_10000",
    )
    assert rating.rag is RAG.AMBER
    assert rating.explanation == (
        "Amber: 9 per 10,000 worse than the target of 87 per 10,000, "
        "within the amber tolerance of 10% of the target (9 per 10,000)."
    )
    # An absolute tolerance finer than the KPI shows is shown, and applied, as printed.
    half = rate(D("62"), target=D("63"), tolerance=D("0.5"), polarity=HIGHER, unit="count")
    assert half.rag is RAG.AMBER
    assert half.explanation.endswith("within the amber tolerance of 1.")


def test_a_percent_tolerance_of_a_negative_target_is_still_an_allowance():
    # An underspend target of -£1,200; 10% of it allows £120 over.
    within = rate(
        D("-1100"),
        target=D("-1200"),
        tolerance=D("10"),
        tolerance_is_percent=True,
        polarity=LOWER,
        unit="currency",
    )
    assert within.rag is RAG.AMBER
    assert within.explanation == (
        "Amber: £100 worse than the target of -£1,200, "
        "within the amber tolerance of 10% of the target (£120)."
    )
    beyond = rate(
        D("-1079"),
        target=D("-1200"),
        tolerance=D("10"),
        tolerance_is_percent=True,
        polarity=LOWER,
        unit="currency",
    )
    assert beyond.rag is RAG.RED


def test_a_percent_tolerance_is_named_as_set_not_rounded():
    rating = rate(
        D("60"),
        target=D("63.0"),
        tolerance=D("2.25"),
        tolerance_is_percent=True,
        polarity=HIGHER,
        unit="percentage",
        places=1,
    )
    assert "2.25% of the target (1.4 percentage points)" in rating.explanation


# --- Direction of travel ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "earlier", "polarity", "unit", "places", "travel", "sentence"),
    [
        # Higher is better: up is improving.
        (
            D("65.0"), D("63.0"), HIGHER, "percentage", 1, Travel.IMPROVING,
            "Improving: up 2.0 percentage points from 63.0%, the previous figure.",
        ),
        (
            D("61.0"), D("63.0"), HIGHER, "percentage", 1, Travel.WORSENING,
            "Worsening: down 2.0 percentage points from 63.0%, the previous figure.",
        ),
        # Lower is better: up is worsening.
        (
            D("450"), D("412"), LOWER, "days", 0, Travel.WORSENING,
            "Worsening: up 38 days from 412 days, the previous figure.",
        ),
        (
            D("411"), D("412"), LOWER, "days", 0, Travel.IMPROVING,
            "Improving: down 1 day from 412 days, the previous figure.",
        ),
        (
            D("80"), D("87"), LOWER, "rate_10000", 0, Travel.IMPROVING,
            "Improving: down 7 per 10,000 from 87 per 10,000, the previous figure.",
        ),
        (
            D("4600000"), D("4531000"), LOWER, "currency", 0, Travel.WORSENING,
            "Worsening: up £69,000 from £4,531,000, the previous figure.",
        ),
        (
            D("3.60"), D("3.50"), HIGHER, "score", 2, Travel.IMPROVING,
            "Improving: up 0.10 from 3.50, the previous figure.",
        ),
        # No polarity: it moved, and that is all that can be said.
        (
            D("699"), D("834"), NONE, "count", 0, Travel.CHANGED,
            "Down 135 from 834, the previous figure; "
            "neither higher nor lower is better for this measure.",
        ),
        (
            D("834"), D("699"), NONE, "count", 0, Travel.CHANGED,
            "Up 135 from 699, the previous figure; "
            "neither higher nor lower is better for this measure.",
        ),
        # No change, including a change too small to show.
        (
            D("63.0"), D("63.0"), HIGHER, "percentage", 1, Travel.NO_CHANGE,
            "No change from 63.0%, the previous figure.",
        ),
        (
            D("63.04"), D("62.96"), HIGHER, "percentage", 1, Travel.NO_CHANGE,
            "No change from 63.0%, the previous figure.",
        ),
        (
            D("412.4"), D("411.6"), LOWER, "days", 0, Travel.NO_CHANGE,
            "No change from 412 days, the previous figure.",
        ),
        (
            D("699.2"), D("698.9"), NONE, "count", 0, Travel.NO_CHANGE,
            "No change from 699, the previous figure.",
        ),
        # No earlier figure.
        (
            D("63.0"), None, HIGHER, "percentage", 1, Travel.UNKNOWN,
            "No figure for the previous figure to compare with.",
        ),
        (
            None, D("63.0"), LOWER, "percentage", 1, Travel.UNKNOWN,
            "No figure for the previous figure to compare with.",
        ),
    ],
)  # fmt: skip
def test_direction_of_travel_follows_polarity(
    value, earlier, polarity, unit, places, travel, sentence
):
    moved = direction(value, earlier, polarity=polarity, unit=unit, places=places)
    assert (moved.travel, moved.explanation) == (travel, sentence)


def test_direction_names_what_it_compares_with():
    against = "a year before (2023-24 Q3)"
    moved = direction(D("65"), D("63"), polarity=HIGHER, unit="percentage", against=against)
    assert moved.explanation == "Improving: up 2 percentage points from 63%, a year before " + (
        "(2023-24 Q3)."
    )
    missing = direction(D("65"), None, polarity=HIGHER, unit="percentage", against=against)
    assert missing.explanation == "No figure for a year before (2023-24 Q3) to compare with."


# --- Properties ------------------------------------------------------------------------------

# Within what a KPIValue can hold (18 digits, 4 after the point).
amounts = st.decimals(
    min_value=D("-99999999999999"),
    max_value=D("99999999999999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
small_amounts = st.decimals(min_value=D("-1000"), max_value=D("1000"), places=4)
tolerances = st.decimals(min_value=D("0"), max_value=D("1000"), places=4)
polarities = st.sampled_from([HIGHER, LOWER, NONE])
rated_polarities = st.sampled_from([HIGHER, LOWER])
units = st.sampled_from(UNITS)
places_ = st.integers(min_value=0, max_value=4)
BARE = re.compile(r"\b(increase|decrease)", re.IGNORECASE)
NEGATIVE = re.compile(r"-£?(\d[\d,]*(?:\.\d+)?)")


@given(
    value=st.none() | amounts,
    target=st.none() | amounts,
    tolerance=tolerances,
    percent=st.booleans(),
    polarity=polarities,
    unit=units,
    places=places_,
)
def test_rating_never_raises_and_always_explains_itself(
    value, target, tolerance, percent, polarity, unit, places
):
    rating = rate(
        value,
        target=target,
        tolerance=tolerance,
        tolerance_is_percent=percent,
        polarity=polarity,
        unit=unit,
        places=places,
    )
    assert rating.rag in RAG
    assert rating.explanation.endswith(".")
    assert not BARE.search(rating.explanation)
    for negative in NEGATIVE.findall(rating.explanation):
        assert D(negative.replace(",", "")) != 0, rating.explanation  # never "-0" or "-£0"
    if rating.rag is not RAG.NONE:
        assert f"the target of {format_value(target, unit, places)}" in rating.explanation or (
            "exactly on target" in rating.explanation
        )


@given(
    value=small_amounts,
    target=small_amounts,
    tolerance=tolerances,
    percent=st.booleans(),
    polarity=rated_polarities,
    unit=units,
    places=places_,
)
@example(D("62.96"), D("63"), D("0"), False, HIGHER, "percentage", 1)
@example(D("78"), D("87"), D("10"), True, HIGHER, "rate_10000", 0)
def test_green_iff_as_good_as_target_as_shown_and_amber_iff_within_the_shown_tolerance(
    value, target, tolerance, percent, polarity, unit, places
):
    rating = rate(
        value,
        target=target,
        tolerance=tolerance,
        tolerance_is_percent=percent,
        polarity=polarity,
        unit=unit,
        places=places,
    )
    v, t = shown(value, places), shown(target, places)
    shortfall = t - v if polarity == HIGHER else v - t
    allowed = shown(abs(t) * tolerance / 100 if percent else tolerance, places)
    if shortfall <= 0:
        assert rating.rag is RAG.GREEN
    elif shortfall <= allowed:
        assert rating.rag is RAG.AMBER
    else:
        assert rating.rag is RAG.RED


@given(value=amounts, earlier=amounts, polarity=polarities, unit=units, places=places_)
def test_direction_is_symmetric_swapping_the_figures_flips_it(
    value, earlier, polarity, unit, places
):
    forward = direction(value, earlier, polarity=polarity, unit=unit, places=places)
    back = direction(earlier, value, polarity=polarity, unit=unit, places=places)
    flipped = {
        Travel.IMPROVING: Travel.WORSENING,
        Travel.WORSENING: Travel.IMPROVING,
        Travel.NO_CHANGE: Travel.NO_CHANGE,
        Travel.CHANGED: Travel.CHANGED,
    }
    assert back.travel is flipped[forward.travel]
    assert (forward.travel is Travel.NO_CHANGE) == (shown(value, places) == shown(earlier, places))
    for moved in (forward, back):
        assert not BARE.search(moved.explanation)
        if polarity == NONE:
            assert moved.travel in (Travel.CHANGED, Travel.NO_CHANGE)
        else:
            assert moved.travel is not Travel.CHANGED


@given(value=amounts, unit=units, places=places_)
def test_a_printed_value_is_the_value_rounded_to_its_places(value, unit, places):
    text = format_value(value, unit, places)
    number = text.removesuffix(" per 10,000").removesuffix(" days").removesuffix(" day")
    number = number.replace("£", "").replace("%", "").replace(",", "")
    assert D(number) == shown(value, places)
    decimals = number.split(".")[1] if "." in number else ""
    assert len(decimals) == places


@pytest.mark.parametrize(
    ("day", "year_before"),
    [
        (dt.date(2025, 2, 28), dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), dt.date(2023, 2, 28)),
        (dt.date(2025, 3, 31), dt.date(2024, 3, 31)),
        (dt.date(2025, 2, 1), dt.date(2024, 2, 1)),
    ],
)
def test_a_year_before_a_month_end_is_the_same_month_end(day, year_before):
    from careprog.periods import one_year_before

    assert one_year_before(day) == year_before
