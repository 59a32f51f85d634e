"""The KPI charts as careprog built them before they were written as plain JSON: through
plotly.py's figure objects, turned to JSON by plotly itself. Kept only so that
tests/test_chart_json.py can show that the plain dicts give the very same figures. Copied from
kpis/charts.py as it stood (commit 3e40bbf); the helpers that did not change are imported."""

from __future__ import annotations

import datetime as dt
import json
import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kpis.benchmarks import Benchmark
from kpis.charts import (
    _MARKS_AXIS,
    COMPARATOR_STYLES,
    HOME_COLOUR,
    HOME_STYLE,
    INK,
    NEIGHBOURS,
    OTHER_COLOUR,
    TOTALS,
    TOTALS_TITLE,
    Comparator,
    Line,
    _drawn_bars,
    _kpi_chart,
    _target_line,
    _trend_lines,
    _value_axis,
)
from kpis.models import ComparatorValue
from kpis.readings import KPIReading


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


def _period_axis(ends: list[dt.date], names: dict[dt.date, str], most: int = 6) -> dict:
    """Time along the bottom, its ticks named as the tables name the periods (never plotly's
    own "Dec 2024"): at most ``most`` of them, evenly spread, always the latest."""
    ends = sorted(ends)
    step = max(1, math.ceil(len(ends) / most))
    shown = ends[::-1][::step][::-1]
    return {
        "tickmode": "array",
        "tickvals": shown,
        "ticktext": [names[end] for end in shown],
        "automargin": True,
        "showgrid": False,
    }


def _line_traces(line: Line, *, name: str, style, width: int, **where) -> list[go.Scatter]:
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
            bridge_x += [previous[0], end, None]
            bridge_y += [previous[1], value, None]
        xs.append(end)
        ys.append(value)
        texts.append(text)
        previous = (end, value)
    traces = [
        go.Scatter(
            x=xs,
            y=ys,
            text=texts,
            name=name,
            mode="lines+markers",
            connectgaps=False,
            hovertemplate="%{text}<extra>" + name + "</extra>",
            line={"color": colour, "dash": dash, "width": width},
            marker={"symbol": symbol, "size": 8 if width > 2 else 6},
            legendgroup=name,
            **where,
        )
    ]
    if bridge_x:
        traces.append(
            go.Scatter(
                x=bridge_x,
                y=bridge_y,
                name=f"{name}: joined across periods with no figure",
                mode="lines",
                hoverinfo="skip",
                line={"color": colour, "dash": "dot", "width": 2},
                legendgroup=name,
                showlegend=False,
                **where,
            )
        )
    return traces


def _missing_marks(missing: list[dt.date], names: dict[dt.date, str], whose: str) -> go.Scatter:
    """A cross on the time axis at each period with no figure: drawn on an axis of its own
    (0 to 1, hidden) so it sits on the axis line whatever the values, and never reads as 0."""
    return go.Scatter(
        x=missing,
        y=[0] * len(missing),
        text=[names[end] for end in missing],
        name=f"No figure for {whose} (×)",
        mode="markers",
        yaxis="y9",
        cliponaxis=False,
        hovertemplate="No figure for %{text}<extra></extra>",
        marker={"symbol": "x-thin-open", "size": 10, "color": INK, "line": {"width": 2}},
    )


def _figure(totals_apart: bool, title: str) -> go.Figure:
    """One panel, or two sharing the time axis: the council's scale above, and below the
    region's and England's totals on a scale of their own."""
    if not totals_apart:
        return go.Figure()
    return make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.62, 0.38],
        vertical_spacing=0.16,
        subplot_titles=("", title),
    )


def _add(figure: go.Figure, traces, row: int | None) -> None:
    for trace in traces:
        if row is None:
            figure.add_trace(trace)
        else:
            figure.add_trace(trace, row=row, col=1)


def _axes(figure, chart_totals: bool, x_axis: dict, unit: str, title: str, values, totals):
    """The time axis (both panels) and each panel's value axis."""
    figure.update_xaxes(**x_axis)
    figure.update_layout(yaxis=_value_axis(title, unit, values), **_MARKS_AXIS)
    if chart_totals:
        figure.update_layout(yaxis2=_value_axis(f"{title} (total)", unit, totals))


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
        figure.add_trace(_missing_marks(chart.ours.missing, chart.names, "our measure"))
    series = reading.series
    show = reading.show
    xs, ys, texts = _target_line(list(targets), series[0].period_end, series[-1].period_end, show)
    if xs:
        target = go.Scatter(
            x=xs,
            y=ys,
            text=texts,
            name="Target",
            mode="lines",
            hovertemplate="%{text}<extra></extra>",
            line={"color": INK, "dash": "dash", "width": 2},
        )
        _add(figure, [target], main)
    values, totals = [y for y in ys if y is not None], []
    values += [v for _, v, _ in chart.ours.points]
    for kind, line in chart.comparators.items():
        apart = chart.totals_apart and kind in TOTALS
        name = Comparator(kind).label
        traces = _line_traces(line, name=name, style=COMPARATOR_STYLES[kind], width=2)
        _add(figure, traces, (2 if apart else main))
        (totals if apart else values).extend(v for _, v, _ in line.points)
    figure.update_layout(
        **_layout(
            height=540 if chart.totals_apart else 380,
            margin={"l": 60, "r": 20, "t": 30, "b": 60},
            hovermode="closest",
            legend={"orientation": "h", "y": -0.25 if chart.totals_apart else -0.2},
        )
    )
    x_axis = _period_axis(sorted(chart.names), chart.names)
    _axes(figure, chart.totals_apart, x_axis, kpi.unit, kpi.get_unit_display(), values, totals)
    return json.loads(figure.to_json())


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
    figure = go.Figure(
        go.Bar(
            x=[float(bar.value) for bar in bars],
            y=labels,
            orientation="h",
            text=[bar.text for bar in bars],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
            marker={
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
            showlegend=False,
        )
    )
    figure.update_layout(
        **_layout(
            height=120 + 32 * len(bars),
            margin={"l": 20, "r": 80, "t": 10, "b": 50},
            hovermode="closest",
            xaxis=_value_axis(page.unit_label, page.unit, [float(bar.value) for bar in bars]),
            yaxis={"autorange": "reversed", "automargin": True},
        )
    )
    return json.loads(figure.to_json())


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
            figure.add_trace(_missing_marks(line.missing, names, page.home_name))
    figure.update_layout(
        **_layout(
            height=540 if apart else 400,
            margin={"l": 60, "r": 20, "t": 30, "b": 60},
            hovermode="closest",
            legend={"orientation": "h", "y": -0.25 if apart else -0.2},
        )
    )
    _axes(
        figure, apart, _period_axis(list(names), names), page.unit, page.unit_label, values, totals
    )
    return json.loads(figure.to_json())
