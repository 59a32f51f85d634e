"""Charts for KPIs: a tiny server-drawn trend line for the dashboard, a plotly figure for a
KPI's page. Both come with words: the dashboard's trend has a text alternative and the KPI
page's chart has the same data as a table."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import plotly.graph_objects as go

from kpis.models import ComparatorValue, KPITarget
from kpis.queries import KPIReading, preferred_series
from kpis.rating import period_label

WIDTH, HEIGHT, PAD = 120, 32, 3


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
_EXPECTED_GAP = {"monthly": 31, "quarterly": 92, "annual": 366}


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
        year_start = dt.date(target.financial_year, 4, 1)
        year_end = dt.date(target.financial_year + 1, 3, 31)
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
            line={"color": "#1d70b8", "width": 3},
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
                line={"color": "#0b0c0c", "dash": "dash", "width": 2},
            )
        )
    # Lines and markers at least 3:1 against the white plot (WCAG 1.4.11): GOV.UK orange
    # (#f47738) is 2.8:1, so the region uses its 25% shade.
    styles = {
        ComparatorValue.Comparator.STATISTICAL_NEIGHBOURS: ("#d53880", "square", "dot"),
        ComparatorValue.Comparator.REGION: ("#b7592a", "diamond", "dashdot"),
        ComparatorValue.Comparator.ENGLAND: ("#505a5f", "triangle-up", "longdash"),
    }
    for comparator, (colour, symbol, dash) in styles.items():
        points = preferred_series(c for c in comparators if c.comparator == comparator)
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
    figure.update_layout(
        font={"family": "arial, sans-serif", "size": 14, "color": "#0b0c0c"},
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        height=360,
        legend={"orientation": "h", "y": -0.2},
        yaxis={"title": {"text": kpi.get_unit_display()}, "rangemode": "tozero"},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="x unified",
        # Hiding a line by clicking the legend is mouse-only; the table has every figure.
        legend_itemclick=False,
        legend_itemdoubleclick=False,
    )
    return json.loads(figure.to_json())
