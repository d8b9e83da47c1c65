"""Server-rendered SVG charts: line and bar charts over dates, readable on screen and on paper.

Charts are drawn on the server so that they need no JavaScript, print crisply, and carry
their data with them: each chart has a text summary for screen readers and a data table.
Series are told apart by dash pattern and marker shape as well as by colour, so a
grey-scale printout still reads. This module only does arithmetic and returns frozen
geometry; ``templates/core/chart.html`` draws it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH = 720
HEIGHT = 280
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 40
PLOT_WIDTH = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_HEIGHT = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

# Dash patterns and markers by series index: distinguishable without colour.
DASHES = ("", "6 3", "2 3", "10 3 2 3", "1 2", "8 2 2 2 2 2")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")


@dataclass(frozen=True)
class Series:
    """A named sequence of (day, value) points; days need not be evenly spaced."""

    name: str
    points: Sequence[tuple[date, float]]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class DrawnLine:
    name: str
    index: int
    path: str  # SVG polyline points, "x,y x,y ..."
    dash: str
    marker: str
    dots: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class DrawnBar:
    series: str
    index: int
    x: float
    y: float
    width: float
    height: float
    label: str  # "name, day: value" for the bar's tooltip


@dataclass(frozen=True)
class ReferenceLine:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything the template needs, in SVG user units (the SVG scales to its box)."""

    title: str
    summary: str
    kind: str  # "line" or "bar"
    y_label: str
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_right: int
    plot_bottom: int
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    lines: tuple[DrawnLine, ...] = ()
    bars: tuple[DrawnBar, ...] = ()
    reference_lines: tuple[ReferenceLine, ...] = ()
    legend: tuple[tuple[str, int, str], ...] = ()  # name, series index, dash pattern
    table_header: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def tick_end(self) -> int:
        return self.plot_bottom + 5

    @property
    def is_empty(self) -> bool:
        return not self.table_rows


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is >= ``value`` (1 for 0 or less)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover - the loop always returns


def y_ticks(y_min: float, y_max: float, *, percent: bool = False) -> list[float]:
    """About five evenly spaced tick values from ``y_min`` to a nice value above ``y_max``."""
    span = max(y_max - y_min, 1e-9)
    step = nice_ceiling(span / 5)
    if not percent and step < 1:
        step = 1.0
    first = math.floor(y_min / step) * step
    ticks = []
    value = first
    while value < y_max + step - 1e-9:
        ticks.append(round(value, 10))
        value += step
    if len(ticks) < 2:
        ticks.append(ticks[0] + step)
    return ticks


def date_ticks(first: date, last: date) -> list[date]:
    """Tick days: first days of months for long spans, Mondays for short ones (at most ~8)."""
    span = (last - first).days
    if span <= 0:
        return [first]
    if span <= 70:
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        days = [monday + timedelta(weeks=k) for k in range(span // 7 + 2)]
        days = [d for d in days if first <= d <= last]
        stride = max(1, math.ceil(len(days) / 8))
        return days[::stride] or [first]
    months = []
    year, month = first.year, first.month
    while True:
        day = date(year, month, 1)
        if day > last:
            break
        if day >= first:
            months.append(day)
        month += 1
        if month == 13:
            year, month = year + 1, 1
    stride = max(1, math.ceil(len(months) / 8))
    return months[::stride] or [first]


def _format_value(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.0f}%" if value == round(value) else f"{value:.1f}%"
    if value == round(value):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _date_label(day: date, first: date, last: date, *, with_year: bool) -> str:
    """Month names on long spans (with the year on the first tick and on each January)."""
    if (last - first).days > 70:
        return day.strftime("%b %Y") if with_year or day.month == 1 else day.strftime("%b")
    return day.strftime("%d %b %Y") if with_year else day.strftime("%d %b")


def _bar_label(day: date, first: date, last: date) -> str:
    if (last - first).days > 180:
        return day.strftime("%b %Y")
    return day.strftime("%d %b")


def _table(series: Sequence[Series], percent: bool) -> tuple[tuple[str, ...], tuple]:
    days = sorted({day for s in series for day, _ in s.points})
    by_series = [dict(s.points) for s in series]
    header = ("Date", *(s.name for s in series))
    rows = tuple(
        (
            day.isoformat(),
            *(_format_value(v[day], percent) if day in v else "–" for v in by_series),
        )
        for day in days
    )
    return header, rows


def _summary(title: str, series: Sequence[Series], percent: bool) -> str:
    parts = []
    for s in series:
        if not s.points:
            parts.append(f"{s.name}: no data")
            continue
        ordered = sorted(s.points)
        (first_day, first), (last_day, last) = ordered[0], ordered[-1]
        peak_day, peak = max(ordered, key=lambda p: p[1])
        parts.append(
            f"{s.name}: {_format_value(first, percent)} on {first_day.isoformat()}, "
            f"{_format_value(last, percent)} on {last_day.isoformat()}, "
            f"highest {_format_value(peak, percent)} on {peak_day.isoformat()}"
        )
    return f"{title}. " + "; ".join(parts) + "." if parts else f"{title}: no data."


class _Frame:
    """Maps days and values to SVG coordinates for one chart."""

    def __init__(self, first: date, last: date, y_min: float, y_top: float) -> None:
        self.first, self.last = first, last
        self.y_min, self.y_top = y_min, y_top
        self.days = max((last - first).days, 1)

    def x(self, day: date) -> float:
        return round(MARGIN_LEFT + PLOT_WIDTH * (day - self.first).days / self.days, 2)

    def y(self, value: float) -> float:
        span = (self.y_top - self.y_min) or 1.0
        return round(MARGIN_TOP + PLOT_HEIGHT * (1 - (value - self.y_min) / span), 2)


def _frame_and_ticks(
    series: Sequence[Series],
    *,
    y_min: float | None,
    y_max_floor: float,
    percent: bool,
    stacked_totals: dict[date, float] | None = None,
) -> tuple[_Frame, tuple[Tick, ...], tuple[Tick, ...]] | None:
    values = [v for s in series for _, v in s.points]
    days = [d for s in series for d, _ in s.points]
    if not values:
        return None
    top = max([*values, *(stacked_totals or {}).values(), y_max_floor])
    bottom = min(values) if y_min is None else min(y_min, min(values))
    if percent:
        top = max(top, 100.0) if top > 60 else top
    ticks = y_ticks(bottom, top, percent=percent)
    frame = _Frame(min(days), max(days), ticks[0], ticks[-1])
    y_axis = tuple(Tick(frame.y(v), _format_value(v, percent)) for v in ticks)
    x_axis = tuple(
        Tick(frame.x(d), _date_label(d, frame.first, frame.last, with_year=i == 0))
        for i, d in enumerate(date_ticks(frame.first, frame.last))
    )
    return frame, x_axis, y_axis


def _legend(series: Sequence[Series]) -> tuple[tuple[str, int, str], ...]:
    return tuple((s.name, i, DASHES[i % len(DASHES)]) for i, s in enumerate(series))


def _empty(title: str, kind: str, y_label: str, series: Sequence[Series]) -> Chart:
    return _chart(
        title=title, series=series, kind=kind, y_label=y_label, x_ticks=(), y_ticks=(), empty=True
    )


def _chart(
    *, title: str, series: Sequence[Series], kind: str, y_label: str, **drawn: object
) -> Chart:
    """A drawn chart: the frame, legend, summary and data table every kind shares."""
    percent = bool(drawn.pop("percent", False))
    empty = bool(drawn.pop("empty", False))
    header, rows = ((), ()) if empty else _table(series, percent)
    return Chart(
        title=title,
        summary=f"{title}: no data yet." if empty else _summary(title, series, percent),
        kind=kind,
        y_label=y_label,
        width=WIDTH,
        height=HEIGHT,
        plot_left=MARGIN_LEFT,
        plot_top=MARGIN_TOP,
        plot_right=MARGIN_LEFT + PLOT_WIDTH,
        plot_bottom=MARGIN_TOP + PLOT_HEIGHT,
        legend=_legend(series),
        table_header=header,
        table_rows=rows,
        **drawn,  # type: ignore[arg-type]
    )


def line_chart(
    *,
    title: str,
    series: Sequence[Series],
    y_label: str,
    reference_lines: Sequence[tuple[float, str]] = (),
    percent: bool = False,
    y_min: float | None = 0,
) -> Chart:
    """A line per series over time, with optional labelled horizontal reference lines.

    ``y_min`` None lets the axis start at the lowest value instead of zero. Reference lines
    always fit on the axis (a 90% line on a chart whose data peaks at 40% is still drawn).
    """
    floor = max((value for value, _ in reference_lines), default=0.0)
    framed = _frame_and_ticks(series, y_min=y_min, y_max_floor=floor, percent=percent)
    if framed is None:
        return _empty(title, "line", y_label, series)
    frame, x_axis, y_axis = framed
    lines = []
    for index, s in enumerate(series):
        ordered = sorted(s.points)
        dots = tuple((frame.x(d), frame.y(v)) for d, v in ordered)
        lines.append(
            DrawnLine(
                name=s.name,
                index=index,
                path=" ".join(f"{x},{y}" for x, y in dots),
                dash=DASHES[index % len(DASHES)],
                marker=MARKERS[index % len(MARKERS)],
                # Markers only where they stay legible; long series are plain lines.
                dots=dots if len(dots) <= 60 else (),
            )
        )
    return _chart(
        title=title,
        series=series,
        kind="line",
        y_label=y_label,
        percent=percent,
        x_ticks=x_axis,
        y_ticks=y_axis,
        lines=tuple(lines),
        reference_lines=tuple(ReferenceLine(frame.y(v), label) for v, label in reference_lines),
    )


def bar_chart(
    *, title: str, series: Sequence[Series], y_label: str, stacked: bool = False
) -> Chart:
    """Bars per day (one group per day, a bar per series, or one stack per day)."""
    days = sorted({d for s in series for d, _ in s.points})
    if not days:
        return _empty(title, "bar", y_label, series)
    totals: dict[date, float] = {}
    if stacked:
        for s in series:
            for d, v in s.points:
                totals[d] = totals.get(d, 0.0) + v
    framed = _frame_and_ticks(
        series, y_min=0, y_max_floor=0.0, percent=False, stacked_totals=totals or None
    )
    assert framed is not None  # days is not empty
    frame, _, y_axis = framed
    # Bars sit in equal slots, one per day, rather than at their day's x: gaps in the data
    # would otherwise make bars of uneven width.
    slot = PLOT_WIDTH / len(days)
    group = slot * 0.8
    width = group if stacked else group / max(len(series), 1)
    base = frame.y(frame.y_min)
    slot_of = {d: i for i, d in enumerate(days)}
    bars = []
    heights: dict[date, float] = {}
    for index, s in enumerate(series):
        for d, v in s.points:
            left = MARGIN_LEFT + slot * slot_of[d] + (slot - group) / 2
            if stacked:
                below = heights.get(d, 0.0)
                top_y, bottom_y = frame.y(below + v), frame.y(below)
                heights[d] = below + v
                x = left
            else:
                top_y, bottom_y = frame.y(v), base
                x = left + width * index
            bars.append(
                DrawnBar(
                    series=s.name,
                    index=index,
                    x=round(x, 2),
                    y=top_y,
                    width=round(width, 2),
                    height=round(bottom_y - top_y, 2),
                    label=f"{s.name}, {d.isoformat()}: {_format_value(v, False)}",
                )
            )
    stride = max(1, math.ceil(len(days) / 8))
    x_axis = tuple(
        Tick(round(MARGIN_LEFT + slot * (i + 0.5), 2), _bar_label(d, days[0], days[-1]))
        for i, d in enumerate(days)
        if i % stride == 0
    )
    return _chart(
        title=title,
        series=series,
        kind="bar",
        y_label=y_label,
        x_ticks=x_axis,
        y_ticks=y_axis,
        bars=tuple(bars),
    )
