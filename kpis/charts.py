"""Charts for KPIs: a tiny server-drawn trend line for the dashboard, a plotly figure for a
KPI's page. Both come with words: the dashboard's trend has a text alternative and the KPI
page's chart has the same data as a table."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import plotly.graph_objects as go

from careprog.periods import financial_year_end, financial_year_start
from kpis.benchmarks import Benchmark
from kpis.models import KPI, ComparatorValue, KPITarget
from kpis.rating import period_label
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


def _layout(*, height: int, margin: dict, hovermode: str, **axes) -> dict:
    """What every chart's layout shares: GOV.UK's font and ink on white, and no hiding a
    series by clicking the legend (mouse-only; the tables have every figure)."""
    return {
        "font": {"family": "arial, sans-serif", "size": 14, "color": INK},
        "margin": margin,
        "height": height,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hovermode": hovermode,
        "legend_itemclick": False,
        "legend_itemdoubleclick": False,
        **axes,
    }


def _value_axis(title: str) -> dict:
    return {"title": {"text": title}, "rangemode": "tozero"}


def _line_layout(unit_label: str, *, height: int, hovermode: str) -> dict:
    """A line chart over time: the values up the side from zero, the legend underneath."""
    return _layout(
        height=height,
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        hovermode=hovermode,
        legend={"orientation": "h", "y": -0.2},
        yaxis=_value_axis(unit_label),
    )


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
    frequency = reading.kpi.frequency
    lowest, highest = min(v.value for v in trend), max(v.value for v in trend)
    description = (
        f"Trend over {len(trend)} figures: from {reading.show(first.value)} "
        f"({period_label(first.period_end, frequency)}) to {reading.show(last.value)} "
        f"({period_label(last.period_end, frequency)}); lowest {reading.show(lowest)}, "
        f"highest {reading.show(highest)}."
    )
    return Sparkline(
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        last_x=round(coords[-1][0], 1),
        last_y=round(coords[-1][1], 1),
        description=description,
    )


# Longest gap between consecutive figures before the line is broken rather than drawn across.
_EXPECTED_GAP = {KPI.Frequency.MONTHLY: 31, KPI.Frequency.QUARTERLY: 92, KPI.Frequency.ANNUAL: 366}


def _with_gaps(series, frequency: str):
    """x and y for a line that breaks where periods are missing, so that a lone old figure
    is not joined to recent ones as if there had been a steady trend between them."""
    longest = dt.timedelta(days=_EXPECTED_GAP.get(frequency, 366) * 1.5)
    xs, ys, previous = [], [], None
    for value in series:
        if previous is not None and value.period_end - previous > longest:
            xs.append(None)
            ys.append(None)
        xs.append(value.period_end)
        ys.append(float(value.value))
        previous = value.period_end
    return xs, ys


def _target_line(targets: list[KPITarget], start: dt.date, end: dt.date):
    """Each financial year's target as a flat step across that year, clipped to the data."""
    xs, ys = [], []
    for target in targets:
        year_start = financial_year_start(target.financial_year)
        year_end = financial_year_end(target.financial_year)
        if year_end < start or year_start > end:
            continue
        xs += [max(year_start, start), min(year_end, end), None]
        ys += [float(target.value), float(target.value), None]
    return xs, ys


def kpi_figure(reading: KPIReading, comparators: list[ComparatorValue], targets) -> dict | None:
    """The KPI's values with targets and comparators, as a plotly figure for json_script;
    None without data."""
    series = reading.series
    if not series:
        return None
    kpi = reading.kpi
    figure = go.Figure()
    xs, ys = _with_gaps(series, kpi.frequency)
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            name="Our figure",
            mode="lines+markers",
            line={"color": HOME_COLOUR, "width": 3},
            marker={"symbol": "circle", "size": 7},
        )
    )
    xs, ys = _target_line(list(targets), series[0].period_end, series[-1].period_end)
    if xs:
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                name="Target",
                mode="lines",
                line={"color": INK, "dash": "dash", "width": 2},
            )
        )
    for comparator, (colour, symbol, dash) in COMPARATOR_STYLES.items():
        points = [c for c in comparators if c.comparator == comparator]
        if points:
            figure.add_trace(
                go.Scatter(
                    x=[c.period_end for c in points],
                    y=[float(c.value) for c in points],
                    name=comparator.label,
                    mode="lines+markers",
                    line={"color": colour, "dash": dash, "width": 2},
                    marker={"symbol": symbol, "size": 6},
                )
            )
    figure.update_layout(**_line_layout(kpi.get_unit_display(), height=360, hovermode="x unified"))
    return json.loads(figure.to_json())


# --- Benchmark figures -------------------------------------------------------------------------


def benchmark_bars(page: Benchmark) -> dict | None:
    """The latest period's published figures as horizontal bars, best first from the top.

    The home council is marked four ways, not by colour alone: its label says "(this
    council)" in bold, its bar is hatched and a different colour, and it is drawn first on a tie.
    Region and England are dotted. Unpublished figures are not drawn (never as zero)."""
    if not page.bars:
        return None
    patterns = {"home": "/", "neighbour": "", "region": ".", "england": "."}
    labels = [f"<b>{bar.label}</b>" if bar.is_home else bar.label for bar in page.bars]
    colours = [HOME_COLOUR if bar.is_home else OTHER_COLOUR for bar in page.bars]
    figure = go.Figure(
        go.Bar(
            x=[float(bar.value) for bar in page.bars],
            y=labels,
            orientation="h",
            text=[bar.text for bar in page.bars],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
            marker={
                "color": colours,
                "line": {"color": INK, "width": 1},
                "pattern": {
                    "shape": [patterns[bar.role] for bar in page.bars],
                    "fgcolor": "#ffffff",
                    # plotly.py's default template overlays the pattern on marker.color, which
                    # plotly.js then reads as one (invalid) colour: draw it over its own fill.
                    "fillmode": "replace",
                    "bgcolor": colours,
                    "size": 8,
                    "solidity": 0.3,
                },
            },
            showlegend=False,
        )
    )
    figure.update_layout(
        **_layout(
            height=120 + 32 * len(page.bars),
            margin={"l": 20, "r": 80, "t": 10, "b": 50},
            hovermode="closest",
            xaxis=_value_axis(page.unit_label),
            yaxis={"autorange": "reversed", "automargin": True},
        )
    )
    return json.loads(figure.to_json())


def benchmark_bars_description(page: Benchmark) -> str:
    """The bar chart in words, for its aria-label."""
    if not page.bars:
        return ""
    latest = page.latest
    home = next((bar for bar in page.bars if bar.is_home), None)
    best, worst = page.bars[0], page.bars[-1]
    words = [
        f"Bar chart of {page.kpi.name} for {latest.label}, "
        f"{page.order_text[:-1].lower()}, {len(page.bars)} areas with a published figure."
    ]
    if home:
        words.append(f"{home.label}: {home.text}, {_ordinal(page.home_place)} of {len(page.bars)}.")
    if page.polarity == KPI.Polarity.NONE:
        words.append(f"Highest {best.label} ({best.text}); lowest {worst.label} ({worst.text}).")
    else:
        words.append(f"Best {best.label} ({best.text}); worst {worst.label} ({worst.text}).")
    if page.unpublished:
        words.append(f"Not published: {', '.join(bar.label for bar in page.unpublished)}.")
    words.append("The table below gives every figure.")
    return " ".join(words)


def _ordinal(number: int | None) -> str:
    if number is None:
        return ""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


# The longest step between two yearly figures before the line breaks.
_YEARLY_GAP = dt.timedelta(days=548)


def _trend_line(periods, name: str):
    """x, y and labels for one series: a break (None) over a missing or unpublished year."""
    xs, ys, labels, previous = [], [], [], None
    for period in periods:
        value = getattr(period, name)
        if previous is not None and period.period_end - previous > _YEARLY_GAP:
            xs.append(None)
            ys.append(None)
            labels.append("")
        xs.append(period.period_end)
        ys.append(float(value) if value is not None else None)
        labels.append(f"{period.label}: {period.texts[name]}")
        previous = period.period_end
    return xs, ys, labels


def benchmark_trend(page: Benchmark) -> dict | None:
    """The home council against the neighbours' mean, region and England since 2016."""
    periods = page.trend
    if not any(p.home is not None for p in periods):
        return None
    region = f"{page.region.name} (region)" if page.region else "Region"
    series = [
        ("home", f"{page.home_name} (this council)", (HOME_COLOUR, "circle", "solid"), 3),
        *(
            (kind, label, COMPARATOR_STYLES[kind], 2)
            for kind, label in (
                (Comparator.STATISTICAL_NEIGHBOURS, "Statistical neighbours (mean)"),
                (Comparator.REGION, region),
                (Comparator.ENGLAND, "England"),
            )
        ),
    ]
    figure = go.Figure()
    for name, label, (colour, symbol, dash), width in series:
        points = [p for p in periods if getattr(p, name) is not None]
        if not points:
            continue
        # Every period is kept (unpublished as None) so the line breaks over it.
        xs, ys, labels = _trend_line(periods, name)
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                text=labels,
                name=label,
                mode="lines+markers",
                connectgaps=False,
                hovertemplate="%{text}<extra>" + label + "</extra>",
                line={"color": colour, "dash": dash, "width": width},
                marker={"symbol": symbol, "size": 8 if name == "home" else 6},
            )
        )
    figure.update_layout(**_line_layout(page.unit_label, height=380, hovermode="closest"))
    return json.loads(figure.to_json())


def benchmark_trend_description(page: Benchmark) -> str:
    published = [p for p in page.trend if p.home is not None]
    if not published:
        return ""
    first, last = published[0], published[-1]
    return (
        f"Line chart of {page.kpi.name} since 2016: {page.home_name} against the mean of its "
        f"statistical neighbours, its region and England. {page.home_name} went from "
        f"{first.texts['home']} ({first.label}) to {last.texts['home']} ({last.label}); "
        f"England {last.texts['england']} and the neighbours' mean {last.texts['neighbours']} "
        f"in {last.label}. Lines break over years without a published figure. "
        "The table below gives every figure."
    )
