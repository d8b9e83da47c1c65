"""The SVG chart geometry: axes that fit the data, points where they belong, data tables."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.loader import render_to_string

from dashboard.core.charts import (
    MARGIN_LEFT,
    MARGIN_TOP,
    PLOT_HEIGHT,
    PLOT_WIDTH,
    Series,
    bar_chart,
    date_ticks,
    line_chart,
    nice_ceiling,
    y_ticks,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 1),
        (-3, 1),
        (0.3, 0.5),
        (1, 1),
        (1.2, 2),
        (3, 5),
        (7, 10),
        (20, 20),
        (21, 50),
        (420, 500),
    ],
)
def test_nice_ceiling_rounds_up_to_one_two_or_five(value: float, expected: float) -> None:
    assert nice_ceiling(value) == expected


def test_y_ticks_cover_the_maximum_with_whole_steps() -> None:
    assert y_ticks(0, 37) == [0, 10, 20, 30, 40]
    assert y_ticks(0, 3) == [0, 1, 2, 3]


def test_percent_y_ticks_may_use_fractional_steps() -> None:
    assert y_ticks(0, 2, percent=True) == [0, 0.5, 1.0, 1.5, 2.0]


def test_date_ticks_are_month_starts_on_long_spans() -> None:
    ticks = date_ticks(date(2016, 1, 15), date(2016, 6, 30))
    assert ticks == [
        date(2016, 2, 1),
        date(2016, 3, 1),
        date(2016, 4, 1),
        date(2016, 5, 1),
        date(2016, 6, 1),
    ]


def test_date_ticks_are_mondays_on_short_spans() -> None:
    ticks = date_ticks(date(2017, 4, 12), date(2017, 5, 3))
    assert ticks == [date(2017, 4, 17), date(2017, 4, 24), date(2017, 5, 1)]
    assert all(day.weekday() == 0 for day in ticks)


def test_date_ticks_are_thinned_to_at_most_eight() -> None:
    assert len(date_ticks(date(2010, 1, 1), date(2017, 1, 1))) <= 8


def test_line_points_map_first_day_left_and_maximum_to_the_top_tick() -> None:
    chart = line_chart(
        title="Open backlog",
        series=[Series("open", [(date(2017, 1, 1), 0), (date(2017, 1, 11), 40)])],
        y_label="changes",
    )
    (line,) = chart.lines
    (x0, y0), (x1, y1) = line.dots
    assert (x0, y0) == (MARGIN_LEFT, MARGIN_TOP + PLOT_HEIGHT)
    assert (x1, y1) == (MARGIN_LEFT + PLOT_WIDTH, MARGIN_TOP)  # 40 is the top tick exactly
    assert line.path == f"{x0},{y0} {x1},{y1}"


def test_line_points_are_drawn_in_date_order_whatever_the_input_order() -> None:
    chart = line_chart(
        title="t",
        series=[Series("s", [(date(2017, 1, 3), 1), (date(2017, 1, 1), 2), (date(2017, 1, 2), 3)])],
        y_label="",
    )
    xs = [x for x, _ in chart.lines[0].dots]
    assert xs == sorted(xs)


def test_reference_lines_stretch_the_axis_to_fit_them() -> None:
    chart = line_chart(
        title="Top organisation's share",
        series=[Series("reviews", [(date(2017, 1, 1), 30), (date(2017, 2, 1), 40)])],
        y_label="share",
        reference_lines=[(50, "50%"), (90, "single vendor")],
        percent=True,
    )
    assert chart.y_ticks[-1].label == "100%"
    fifty = next(r for r in chart.reference_lines if r.label == "50%")
    assert fifty.y == pytest.approx(MARGIN_TOP + PLOT_HEIGHT / 2)


def test_series_are_told_apart_by_dash_and_marker_not_colour_alone() -> None:
    chart = line_chart(
        title="t",
        series=[Series(f"s{i}", [(date(2017, 1, 1), i)]) for i in range(3)],
        y_label="",
    )
    assert len({line.dash for line in chart.lines}) == 3
    assert len({line.marker for line in chart.lines}) == 3


def test_table_has_a_row_per_day_and_a_dash_for_missing_values() -> None:
    chart = line_chart(
        title="t",
        series=[
            Series("a", [(date(2017, 1, 1), 1), (date(2017, 1, 2), 2.5)]),
            Series("b", [(date(2017, 1, 2), 1200)]),
        ],
        y_label="",
    )
    assert chart.table_header == ("Date", "a", "b")
    assert chart.table_rows == (("2017-01-01", "1", "–"), ("2017-01-02", "2.5", "1,200"))


def test_summary_tells_first_last_and_highest_values() -> None:
    chart = line_chart(
        title="Open backlog",
        series=[
            Series("open", [(date(2017, 1, 1), 10), (date(2017, 1, 5), 30), (date(2017, 1, 9), 20)])
        ],
        y_label="",
    )
    assert chart.summary == (
        "Open backlog. open: 10 on 2017-01-01, 20 on 2017-01-09, highest 30 on 2017-01-05."
    )


def test_a_chart_without_points_is_empty_and_renders_a_message() -> None:
    chart = line_chart(title="Nothing", series=[Series("s", [])], y_label="")
    assert chart.is_empty
    html = render_to_string("core/chart.html", {"chart": chart})
    assert "No data to draw yet." in html
    assert "<svg" not in html


def test_grouped_bars_sit_side_by_side_and_share_the_baseline() -> None:
    day = date(2017, 1, 2)
    chart = bar_chart(
        title="Opened and merged",
        series=[Series("opened", [(day, 10)]), Series("merged", [(day, 5)])],
        y_label="changes",
    )
    opened, merged = chart.bars
    assert merged.x == pytest.approx(opened.x + opened.width)
    assert opened.y + opened.height == pytest.approx(merged.y + merged.height)
    assert opened.height == pytest.approx(2 * merged.height)


def test_stacked_bars_stack_and_the_axis_fits_the_total() -> None:
    day = date(2017, 1, 2)
    chart = bar_chart(
        title="t",
        series=[Series("merged", [(day, 30)]), Series("abandoned", [(day, 15)])],
        y_label="",
        stacked=True,
    )
    bottom, top = chart.bars
    assert bottom.x == top.x
    assert top.y + top.height == pytest.approx(bottom.y)
    assert chart.y_ticks[-1].label == "50"


def test_rendered_chart_is_labelled_for_screen_readers() -> None:
    chart = line_chart(
        title="Open backlog",
        series=[Series("open", [(date(2017, 1, 1), 3), (date(2017, 2, 1), 4)])],
        y_label="changes",
    )
    html = render_to_string("core/chart.html", {"chart": chart})
    assert 'role="img"' in html
    assert f'aria-label="{chart.summary}"' in html
    assert "<title>Open backlog</title>" in html
    assert '<th scope="row">2017-02-01</th>' in html


def test_x_axis_names_the_year_on_the_first_tick_and_on_january() -> None:
    chart = line_chart(
        title="t",
        series=[Series("s", [(date(2016, 10, 3), 1), (date(2017, 3, 6), 2)])],
        y_label="",
    )
    assert [t.label for t in chart.x_ticks] == ["Nov 2016", "Dec", "Jan 2017", "Feb", "Mar"]
