"""The chart of effect against feasibility: every option in its cell, none overlapping."""

import itertools
import math

from aia.reports.chart import CELL_H, CELL_W, LEFT, TOP, chart_geometry


def _option(number, effect="high", feasibility="low", recommendation="recommended"):
    return {
        "number": number,
        "title": f"Option {number}",
        "expected_effect": effect,
        "feasibility": feasibility,
        "recommendation": recommendation,
    }


def test_each_option_lands_in_the_cell_of_its_levels():
    levels = ("low", "medium", "high")
    options = [
        _option(i, effect, feasibility)
        for i, (effect, feasibility) in enumerate(itertools.product(levels, levels), start=1)
    ]
    chart = chart_geometry(options)
    assert chart["count"] == 9
    for marker in chart["markers"]:
        option = marker["option"]
        column = int((float(marker["cx"]) - LEFT) // CELL_W)
        row = 2 - int((float(marker["cy"]) - TOP) // CELL_H)
        assert levels[column] == option["feasibility"]
        assert levels[row] == option["expected_effect"]


def test_thirty_options_in_one_cell_stay_inside_it_and_apart():
    chart = chart_geometry([_option(i) for i in range(1, 31)])
    markers = chart["markers"]
    assert [m["number"] for m in markers] == list(range(1, 31))
    for marker in markers:
        cx, cy, r = float(marker["cx"]), float(marker["cy"]), float(marker["r"])
        assert cx - r >= LEFT
        assert cx + r <= LEFT + CELL_W
        # High effect is the top row.
        assert cy - r >= TOP
        assert cy + r <= TOP + CELL_H
        assert r >= 5
    for a, b in itertools.combinations(markers, 2):
        distance = math.dist((float(a["cx"]), float(a["cy"])), (float(b["cx"]), float(b["cy"])))
        assert distance >= float(a["r"]) + float(b["r"])


def test_options_without_levels_are_listed_not_plotted():
    chart = chart_geometry([_option(1), _option(2, effect="")])
    assert [m["number"] for m in chart["markers"]] == [1]
    assert [o["number"] for o in chart["unplaced"]] == [2]
