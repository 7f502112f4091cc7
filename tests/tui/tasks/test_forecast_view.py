"""The forecast's bars: each bucket's bar as long as its total against the largest, the
weighted part solid; the sums under them (the figures are the forecast service's)."""

from __future__ import annotations

from textual.content import Content

from halcrm.services.board.records import ForecastBucket, ForecastMonth, ForecastRecord
from halcrm.tui.screens.forecast import bar_lines, month_label


def test_bars_are_proportional_and_sum_to_the_open_pipeline() -> None:
    forecast = ForecastRecord(
        months=[
            ForecastMonth(month="2026-11", count=2, total=40000, weighted=20000),
            ForecastMonth(month="2026-12"),
        ],
        overdue=ForecastBucket(count=1, total=10000.50, weighted=2500),
        undated=ForecastBucket(count=3, total=20000, weighted=5000),
    )
    lines = [Content.from_markup(line).plain for line in bar_lines(forecast, 80)]
    label_width = 10
    bars = [line[label_width:].split(" ")[0] for line in lines[:4]]
    overdue, november, december, undated = bars
    assert lines[1].startswith("Nov 2026")
    assert abs(len(november) - 2 * len(undated)) <= 1  # $40k against $20k
    assert abs(november.count("█") - november.count("▒")) <= 1  # half weighted
    assert december == ""
    assert overdue.count("█") == round(len(november) * 2500 / 40000)
    assert "$10k" in lines[0]
    assert "$70k" in lines[4]  # the sums: 6 deals, $70,000.50, weighted $27,500
    assert lines[4].split()[1] == "6"
    assert "$27.5k" in lines[4]


def test_month_label() -> None:
    assert month_label("2027-01") == "Jan 2027"
    assert month_label("garbage") == "garbage"
