"""Charts for KPIs: a tiny server-drawn trend line for the dashboard, a plotly figure for a
KPI's page. Both come with words: the dashboard's trend has a text alternative and the KPI
page's chart has the same data as a table.

The figures are written as the JSON plotly.js reads (plain dicts of ``data`` and ``layout``),
not through plotly.py's figure objects: validating those and turning them to JSON and back
was a third of a KPI page's time. tests/test_chart_json.py keeps the plotly.py builder and
shows that both give the same figure."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from careprog.periods import (
    FIRST_DAY,
    financial_year_end,
    financial_year_start,
    is_quarter_end,
    month_ends_between,
    one_year_before,
)
from kpis.benchmarks import Benchmark
from kpis.models import KPI, ComparatorValue, KPITarget
from kpis.rating import format_value, period_name
from kpis.readings import KPIReading

WIDTH, HEIGHT, PAD = 120, 32, 3

# Lines and markers at least 3:1 against the white plot (WCAG 1.4.11): GOV.UK orange
# (#f47738) is 2.8:1, so the region uses its 25% shade.
INK, HOME_COLOUR, OTHER_COLOUR = "#0b0c0c", "#1d70b8", "#505a5f"
Comparator = ComparatorValue.Comparator
COMPARATOR_STYLES = {  # colour, marker, dash: the same on a KPI's chart and its benchmark trend
    Comparator.STATISTICAL_NEIGHBOURS: ("#d53880", "square", "dot"),
    Comparator.REGION: ("#b7592a", "diamond", "dashdot"),
    Comparator.ENGLAND: (OTHER_COLOUR, "triangle-up", "longdash"),
}
HOME_STYLE = (HOME_COLOUR, "circle", "solid")
NEIGHBOURS = Comparator.STATISTICAL_NEIGHBOURS
TOTALS = (Comparator.REGION, Comparator.ENGLAND)  # totals of many councils, for a count
TOTALS_TITLE = "The region and England: totals, on their own scale"
TOTALS_WORDS = (
    "The region's and England's figures are totals for many councils, so they are drawn "
    "in a panel of their own below, on their own scale."
)
BARS_TOTALS_WORDS = (
    "The region's and England's totals are not drawn: they count many councils, so they are "
    "given in the table only."
)


# plotly.py's default template ("plotly" in plotly 6.9), which every figure was drawn with: white
# grid lines, no tick marks, hover labels aligned left. Read once; never mutated.
TEMPLATE = json.loads(Path(__file__).with_name("chart_template.json").read_text())
# Two panels sharing the time axis, as plotly's make_subplots lays them out (the arithmetic
# is its own, so the domains are the same floats): ours above, the totals below.
PANEL_SPACING, PANEL_HEIGHTS = 0.16, (0.62, 0.38)


def _layout(*, height: int, margin: dict, hovermode: str, legend=None, **axes) -> dict:
    """What every chart's layout shares: GOV.UK's font and ink on white, and no hiding a
    series by clicking the legend (mouse-only; the tables have every figure)."""
    return {
        "font": {"family": "arial, sans-serif", "size": 14, "color": INK},
        "margin": margin,
        "height": height,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hovermode": hovermode,
        "legend": {"itemclick": False, "itemdoubleclick": False, **(legend or {})},
        **axes,
    }


def short_value(value: float, unit: str, places: int = 0) -> str:
    """A figure as an axis or a hover writes it: money as '£4.53m', '£450k', '-£1.2m'; any
    other unit as the tables write it ('63%', '412 days')."""
    if unit != KPI.Unit.CURRENCY:
        return format_value(Decimal(str(value)), unit, places)
    sign, size = ("-" if value < 0 else ""), abs(value)
    for scale, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if size >= scale * 0.9995:  # 999,700 is "£1m", not "£1e+03k"
            return f"{sign}£{size / scale:.3g}{suffix}"
    return f"{sign}£{size:.3g}" if size else "£0"


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round steps (1, 2, 2.5 or 5 times a power of ten) covering zero and
    the data."""
    low, high = min(0.0, low), max(0.0, high)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [n * step for n in range(first, last + 1)]


def _value_axis(title: str, unit: str, values: list[float]) -> dict:
    """The values up the side from zero, each tick in its unit: '£4.5m', '60%', '400 days'.
    Money gets its own ticks (plotly would write '4.5M'); other units a suffix."""
    axis = {"title": {"text": title}, "rangemode": "tozero", "automargin": True}
    if unit == KPI.Unit.CURRENCY and values:
        ticks = _nice_ticks(min(values), max(values))
        return axis | {
            "tickmode": "array",
            "tickvals": ticks,
            "ticktext": [short_value(t, unit) for t in ticks],
            "range": [ticks[0], ticks[-1]],
        }
    suffix = {KPI.Unit.PERCENTAGE: "%", KPI.Unit.DAYS: " days"}.get(unit, "")
    return axis | {"ticksuffix": suffix, "tickformat": ",~r"}


def _period_axis(ends: list[dt.date], names: dict[dt.date, str], most: int = 6) -> dict:
    """Time along the bottom, its ticks named as the tables name the periods (never plotly's
    own "Dec 2024"): at most ``most`` of them, evenly spread, always the latest."""
    ends = sorted(ends)
    step = max(1, math.ceil(len(ends) / most))
    shown = ends[::-1][::step][::-1]
    return {
        "tickmode": "array",
        "tickvals": [end.isoformat() for end in shown],
        "ticktext": [names[end] for end in shown],
        "automargin": True,
        "showgrid": False,
    }


@dataclass(frozen=True)
class Line:
    """One series over time, drawn solid between consecutive periods and dotted across the
    periods that have no figure, which are listed in ``missing`` (oldest first)."""

    points: list[tuple[dt.date, float, str]]  # period end, value, hover text
    missing: list[dt.date]


def _line(points, expected: list[dt.date]) -> Line:
    """``points`` (period end, value, hover text) against the periods there should be figures
    for: those between the first and last point without one are missing."""
    if not points:
        return Line([], [])
    first, last = points[0][0], points[-1][0]
    present = {end for end, _, _ in points}
    missing = [end for end in expected if first < end < last and end not in present]
    return Line(list(points), missing)


def _line_traces(line: Line, *, name: str, style, width: int) -> list[dict]:
    """The series (solid where periods follow on; broken where one is missing) and, when
    periods are missing, the same colour dotted across them: joined, never hidden."""
    colour, symbol, dash = style
    missing = set(line.missing)
    xs, ys, texts, bridge_x, bridge_y, previous = [], [], [], [], [], None
    for end, value, text in line.points:
        if previous is not None and any(previous[0] < m < end for m in missing):
            xs.append(None)
            ys.append(None)
            texts.append("")
            bridge_x += [previous[0].isoformat(), end.isoformat(), None]
            bridge_y += [previous[1], value, None]
        xs.append(end.isoformat())
        ys.append(value)
        texts.append(text)
        previous = (end, value)
    traces = [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "text": texts,
            "name": name,
            "mode": "lines+markers",
            "connectgaps": False,
            "hovertemplate": "%{text}<extra>" + name + "</extra>",
            "line": {"color": colour, "dash": dash, "width": width},
            "marker": {"symbol": symbol, "size": 8 if width > 2 else 6},
            "legendgroup": name,
        }
    ]
    if bridge_x:
        traces.append(
            {
                "type": "scatter",
                "x": bridge_x,
                "y": bridge_y,
                "name": f"{name}: joined across periods with no figure",
                "mode": "lines",
                "hoverinfo": "skip",
                "line": {"color": colour, "dash": "dot", "width": 2},
                "legendgroup": name,
                "showlegend": False,
            }
        )
    return traces


def _missing_marks(missing: list[dt.date], names: dict[dt.date, str], whose: str) -> dict:
    """A cross on the time axis at each period with no figure: drawn on an axis of its own
    (0 to 1, hidden) so it sits on the axis line whatever the values, and never reads as 0."""
    return {
        "type": "scatter",
        "x": [end.isoformat() for end in missing],
        "y": [0] * len(missing),
        "text": [names[end] for end in missing],
        "name": f"No figure for {whose} (×)",
        "mode": "markers",
        "yaxis": "y9",
        "cliponaxis": False,
        "hovertemplate": "No figure for %{text}<extra></extra>",
        "marker": {"symbol": "x-thin-open", "size": 10, "color": INK, "line": {"width": 2}},
    }


_MARKS_AXIS = {"yaxis9": {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True}}


def missing_text(missing: list[dt.date], names: dict[dt.date, str], expected, most: int = 4):
    """'No figure for 30 June 2024, and 31 December 2024 to 31 March 2025.': runs of
    consecutive missing periods, the first ``most`` named and the rest counted."""
    if not missing:
        return ""
    order = {end: i for i, end in enumerate(expected)}
    runs: list[list[dt.date]] = []
    for end in missing:
        if runs and order[end] == order[runs[-1][-1]] + 1:
            runs[-1].append(end)
        else:
            runs.append([end])
    texts = [names[r[0]] if len(r) == 1 else f"{names[r[0]]} to {names[r[-1]]}" for r in runs]
    if len(texts) > most:
        rest = sum(len(r) for r in runs[most:])
        texts = [*texts[:most], f"{rest} more period{'s' if rest > 1 else ''}"]
    listed = texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + f" and {texts[-1]}"
    return f"No figure for {listed}."


@dataclass(frozen=True)
class Sparkline:
    points: str  # for an SVG polyline
    last_x: float
    last_y: float
    description: str


def sparkline(reading: KPIReading) -> Sparkline | None:
    """The trend as SVG points, scaled to the box; None with fewer than two figures."""
    trend = reading.trend
    if len(trend) < 2:
        return None
    values = [float(v.value) for v in trend]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / (len(values) - 1)
    coords = [
        (PAD + i * step, HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD))
        for i, value in enumerate(values)
    ]
    first, last = trend[0], trend[-1]
    kpi = reading.kpi
    lowest, highest = min(v.value for v in trend), max(v.value for v in trend)
    description = (
        f"Trend over {len(trend)} figures: from {reading.show(first.value)} "
        f"({period_name(first.period_end, kpi)}) to {reading.show(last.value)} "
        f"({period_name(last.period_end, kpi)}); lowest {reading.show(lowest)}, "
        f"highest {reading.show(highest)}."
    )
    return Sparkline(
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        last_x=round(coords[-1][0], 1),
        last_y=round(coords[-1][1], 1),
        description=description,
    )


def expected_periods(frequency: str, ends: list[dt.date]) -> list[dt.date]:
    """Every period end a KPI of this frequency should have a figure for, from its first
    figure's to its last's, with any other ends its figures have; oldest first."""
    first, last = min(ends), max(ends)
    if frequency == KPI.Frequency.ANNUAL:
        grid, end = [last], last
        while end > FIRST_DAY and (end := one_year_before(end)) >= first:  # none before day 1
            grid.append(end)
    else:
        grid = month_ends_between(first, last)
        if frequency == KPI.Frequency.QUARTERLY:
            grid = [end for end in grid if is_quarter_end(end)]
    return sorted(set(grid) | set(ends))


def _target_line(targets: list[KPITarget], start: dt.date, end: dt.date, show):
    """Each financial year's target as a flat step across that year, clipped to the data."""
    xs, ys, texts = [], [], []
    for target in targets:
        year_start = financial_year_start(target.financial_year)
        year_end = financial_year_end(target.financial_year)
        if year_end < start or year_start > end:
            continue
        text = f"Target for {target.year_label}: {show(target.value)}"
        xs += [max(year_start, start), min(year_end, end), None]
        ys += [float(target.value), float(target.value), None]
        texts += [text, text, ""]
    return xs, ys, texts


@dataclass(frozen=True)
class KPIChart:
    """What a KPI's chart draws, worked out once for the figure and for its description."""

    ours: Line
    expected: list[dt.date]
    names: dict[dt.date, str]  # every period end drawn, named as the table names it
    comparators: dict[str, Line]
    totals_apart: bool  # region and England drawn in a panel of their own


def _kpi_chart(reading: KPIReading, comparators: list[ComparatorValue]) -> KPIChart:
    kpi = reading.kpi
    places = kpi.decimal_places
    expected = expected_periods(kpi.frequency, [v.period_end for v in reading.series])
    ends = set(expected) | {c.period_end for c in comparators}
    names = {end: period_name(end, kpi) for end in ends}

    def point(figure):
        text = f"{names[figure.period_end]}: {short_value(float(figure.value), kpi.unit, places)}"
        if figure.is_illustrative:
            text += " (illustrative)"
        return (figure.period_end, float(figure.value), text)

    ours = _line([point(v) for v in reading.series], expected)
    lines = {}
    for kind in COMPARATOR_STYLES:
        points = [point(c) for c in comparators if c.comparator == kind]
        if points:
            lines[kind] = _line(points, [])
    totals_apart = kpi.is_total and any(kind in lines for kind in TOTALS)
    return KPIChart(ours, expected, names, lines, totals_apart)


def _figure(totals_apart: bool, title: str) -> dict:
    """One panel, or two sharing the time axis: the council's scale above, and below the
    region's and England's totals on a scale of their own, titled."""
    layout = {"template": TEMPLATE}
    if totals_apart:
        whole = float(sum(PANEL_HEIGHTS))
        upper, lower = ((1.0 - PANEL_SPACING) * (share / whole) for share in PANEL_HEIGHTS)
        start = lower + PANEL_SPACING
        layout |= {
            "xaxis": {
                "anchor": "y",
                "domain": [0.0, 1.0],
                "matches": "x2",
                "showticklabels": False,
            },
            "yaxis": {"anchor": "x", "domain": [start, start + upper]},
            "xaxis2": {"anchor": "y2", "domain": [0.0, 1.0]},
            "yaxis2": {"anchor": "x2", "domain": [0.0, lower]},
            "annotations": [
                {
                    "font": {"size": 16},
                    "showarrow": False,
                    "text": title,
                    "x": 0.5,
                    "xanchor": "center",
                    "xref": "paper",
                    "y": lower,
                    "yanchor": "bottom",
                    "yref": "paper",
                }
            ],
        }
    return {"data": [], "layout": layout}


def _add(figure: dict, traces: list[dict], row: int | None) -> None:
    """Traces into a panel (``row``: 1 above, 2 below), or onto the figure's own axes."""
    suffix = "" if row in (None, 1) else str(row)
    axes = {} if row is None else {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
    figure["data"].extend(trace | axes for trace in traces)


def _axes(figure: dict, chart_totals: bool, x_axis: dict, unit: str, title: str, values, totals):
    """The time axis (both panels) and each panel's value axis."""
    layout = figure["layout"]
    for name in [name for name in layout if name.startswith("xaxis")] or ["xaxis"]:
        layout[name] = layout.get(name, {}) | x_axis
    layout["yaxis"] = layout.get("yaxis", {}) | _value_axis(title, unit, values)
    layout |= _MARKS_AXIS
    if chart_totals:
        layout["yaxis2"] |= _value_axis(f"{title} (total)", unit, totals)


def kpi_figure(reading: KPIReading, comparators: list[ComparatorValue], targets) -> dict | None:
    """The KPI's values with targets and comparators, as a plotly figure for json_script;
    None without data.

    Our figures are one line, solid from period to period and dotted across any period with
    no figure, each of which is marked with a cross on the time axis: a missing figure is
    neither hidden nor drawn as a break that leaves lone dots. The statistical neighbours'
    figure is the mean of ten councils, so it shares our scale; but for a count or a sum of
    money the North West's and England's figures are totals of many councils (81,770
    children beside our 681), which on our axis would flatten our line on zero. They are
    drawn in a second panel under ours, on their own scale, so their trend can still be
    read; the table gives every figure."""
    if not reading.series:
        return None
    kpi = reading.kpi
    chart = _kpi_chart(reading, comparators)
    figure = _figure(chart.totals_apart, TOTALS_TITLE)
    main = 1 if chart.totals_apart else None
    _add(figure, _line_traces(chart.ours, name="Our figure", style=HOME_STYLE, width=3), main)
    if chart.ours.missing:
        _add(figure, [_missing_marks(chart.ours.missing, chart.names, "our measure")], None)
    series = reading.series
    show = reading.show
    xs, ys, texts = _target_line(list(targets), series[0].period_end, series[-1].period_end, show)
    if xs:
        target = {
            "type": "scatter",
            "x": [x and x.isoformat() for x in xs],
            "y": ys,
            "text": texts,
            "name": "Target",
            "mode": "lines",
            "hovertemplate": "%{text}<extra></extra>",
            "line": {"color": INK, "dash": "dash", "width": 2},
        }
        _add(figure, [target], main)
    values, totals = [y for y in ys if y is not None], []
    values += [v for _, v, _ in chart.ours.points]
    for kind, line in chart.comparators.items():
        apart = chart.totals_apart and kind in TOTALS
        name = Comparator(kind).label
        traces = _line_traces(line, name=name, style=COMPARATOR_STYLES[kind], width=2)
        _add(figure, traces, (2 if apart else main))
        (totals if apart else values).extend(v for _, v, _ in line.points)
    figure["layout"] |= _layout(
        height=540 if chart.totals_apart else 380,
        margin={"l": 60, "r": 20, "t": 30, "b": 60},
        hovermode="closest",
        legend={"orientation": "h", "y": -0.25 if chart.totals_apart else -0.2},
    )
    x_axis = _period_axis(sorted(chart.names), chart.names)
    _axes(figure, chart.totals_apart, x_axis, kpi.unit, kpi.get_unit_display(), values, totals)
    return figure


def kpi_figure_description(reading: KPIReading, comparators: list[ComparatorValue], targets):
    """The chart in words, for its aria-label: what is drawn, the latest figure, the
    periods with no figure and where the totals went."""
    if not reading.series:
        return ""
    kpi = reading.kpi
    chart = _kpi_chart(reading, comparators)
    drawn = " and comparators" if chart.comparators else ""
    words = [
        f"Line chart of {kpi.name} over time{', with its target' if targets else ''}{drawn}.",
        f"Latest: {reading.latest_text}, {reading.period_text}.",
    ]
    if chart.ours.missing:
        words.append(missing_text(chart.ours.missing, chart.names, chart.expected))
        words.append("The line is dotted across periods with no figure.")
    if chart.totals_apart:
        words.append(TOTALS_WORDS)
    words.append("The table below gives every figure.")
    return " ".join(words)


# --- Benchmark figures -------------------------------------------------------------------------


def _drawn_bars(page: Benchmark):
    """The bars drawn: every published figure, but for a total only the councils' (the
    region's and England's totals are in the table and the summary, not on this scale)."""
    if page.is_total:
        return [bar for bar in page.bars if bar.role in ("home", "neighbour")]
    return page.bars


def benchmark_bars(page: Benchmark) -> dict | None:
    """The latest period's published figures as horizontal bars, best first from the top.

    The home council is marked four ways, not by colour alone: its label says "(this
    council)" in bold, its bar is hatched and a different colour, and it is drawn first on a tie.
    Region and England are dotted; for a count they are totals, left out (see _drawn_bars).
    Unpublished figures are not drawn (never as zero)."""
    bars = _drawn_bars(page)
    if not bars:
        return None
    patterns = {"home": "/", "neighbour": "", "region": ".", "england": "."}
    labels = [f"<b>{bar.label}</b>" if bar.is_home else bar.label for bar in bars]
    colours = [HOME_COLOUR if bar.is_home else OTHER_COLOUR for bar in bars]
    bar_trace = {
        "type": "bar",
        "x": [float(bar.value) for bar in bars],
        "y": labels,
        "orientation": "h",
        "text": [bar.text for bar in bars],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{y}: %{text}<extra></extra>",
        "marker": {
            "color": colours,
            "line": {"color": INK, "width": 1},
            "pattern": {
                "shape": [patterns[bar.role] for bar in bars],
                "fgcolor": "#ffffff",
                # plotly.py's default template overlays the pattern on marker.color, which
                # plotly.js then reads as one (invalid) colour: draw it over its own fill.
                "fillmode": "replace",
                "bgcolor": colours,
                "size": 8,
                "solidity": 0.3,
            },
        },
        "showlegend": False,
    }
    layout = _layout(
        height=120 + 32 * len(bars),
        margin={"l": 20, "r": 80, "t": 10, "b": 50},
        hovermode="closest",
        xaxis=_value_axis(page.unit_label, page.unit, [float(bar.value) for bar in bars]),
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return {"data": [bar_trace], "layout": {"template": TEMPLATE} | layout}


def benchmark_bars_description(page: Benchmark) -> str:
    """The bar chart in words, for its aria-label."""
    bars = _drawn_bars(page)
    if not bars:
        return ""
    latest = page.latest
    home = next((bar for bar in bars if bar.is_home), None)
    place = next((i for i, bar in enumerate(bars, 1) if bar.is_home), None)
    best, worst = bars[0], bars[-1]
    words = [
        f"Bar chart of {page.kpi.name} for {latest.label}, "
        f"{page.order_text[:-1].lower()}, {len(bars)} areas with a published figure."
    ]
    if home:
        words.append(f"{home.label}: {home.text}, {_ordinal(place)} of {len(bars)}.")
    if page.polarity == KPI.Polarity.NONE:
        words.append(f"Highest {best.label} ({best.text}); lowest {worst.label} ({worst.text}).")
    else:
        words.append(f"Best {best.label} ({best.text}); worst {worst.label} ({worst.text}).")
    if page.unpublished:
        words.append(f"Not published: {', '.join(bar.label for bar in page.unpublished)}.")
    if page.is_total:
        words.append(BARS_TOTALS_WORDS)
    words.append("The table below gives every figure.")
    return " ".join(words)


def _ordinal(number: int | None) -> str:
    if number is None:
        return ""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _trend_lines(page: Benchmark):
    """Each series of the trend as a Line over the trend's periods, and the periods' names."""
    periods = page.trend
    expected = [p.period_end for p in periods]
    lines = {}
    for name in ("home", "neighbours", "region", "england"):
        points = [
            (p.period_end, float(getattr(p, name)), f"{p.label}: {p.texts[name]}")
            for p in periods
            if getattr(p, name) is not None
        ]
        if points:
            lines[name] = _line(points, expected)
    return lines, {p.period_end: p.label for p in periods}


def benchmark_trend(page: Benchmark) -> dict | None:
    """The home council against the neighbours' mean, region and England since 2016.

    As on a KPI's chart: each line is dotted across the years without a published figure,
    the home council's missing years are crossed on the time axis, and for a count the
    region's and England's totals are drawn in a panel of their own under the councils'."""
    lines, names = _trend_lines(page)
    if "home" not in lines:
        return None
    region = f"{page.region.name} (region)" if page.region else "Region"
    series = {
        "home": (f"{page.home_name} (this council)", HOME_STYLE, 3),
        "neighbours": ("Statistical neighbours (mean)", COMPARATOR_STYLES[NEIGHBOURS], 2),
        "region": (region, COMPARATOR_STYLES[Comparator.REGION], 2),
        "england": ("England", COMPARATOR_STYLES[Comparator.ENGLAND], 2),
    }
    apart = page.is_total and ("region" in lines or "england" in lines)
    figure = _figure(apart, TOTALS_TITLE)
    main = 1 if apart else None
    values, totals = [], []
    for name, line in lines.items():
        label, style, width = series[name]
        total = apart and name in ("region", "england")
        _add(figure, _line_traces(line, name=label, style=style, width=width), 2 if total else main)
        (totals if total else values).extend(v for _, v, _ in line.points)
        if name == "home" and line.missing:
            _add(figure, [_missing_marks(line.missing, names, page.home_name)], None)
    figure["layout"] |= _layout(
        height=540 if apart else 400,
        margin={"l": 60, "r": 20, "t": 30, "b": 60},
        hovermode="closest",
        legend={"orientation": "h", "y": -0.25 if apart else -0.2},
    )
    _axes(
        figure, apart, _period_axis(list(names), names), page.unit, page.unit_label, values, totals
    )
    return figure


def benchmark_trend_description(page: Benchmark) -> str:
    published = [p for p in page.trend if p.home is not None]
    if not published:
        return ""
    first, last = published[0], published[-1]
    lines, names = _trend_lines(page)
    words = [
        f"Line chart of {page.kpi.name} since 2016: {page.home_name} against the mean of its "
        f"statistical neighbours, its region and England. {page.home_name} went from "
        f"{first.texts['home']} ({first.label}) to {last.texts['home']} ({last.label}); "
        f"England {last.texts['england']} and the neighbours' mean {last.texts['neighbours']} "
        f"in {last.label}."
    ]
    missing = lines["home"].missing
    if missing:
        words.append(
            missing_text(missing, names, list(names)).replace(
                "No figure for", f"No figure for {page.home_name} for", 1
            )
        )
    words.append("Lines are dotted across years without a published figure.")
    if page.is_total:
        words.append(TOTALS_WORDS)
    words.append("The table below gives every figure.")
    return " ".join(words)
