"""Lay out the chart of options by expected effect (y) against feasibility (x).

The chart is a 3 by 3 grid (low, medium, high on both axes) with one numbered marker per
option that has not been withdrawn; markers sharing a cell are packed in a small grid inside
it. This module computes numbers only; ``_chart.html`` writes the SVG, so every string in it
goes through Django's autoescaping like the rest of the report.
"""

import math
from typing import Any

LEVELS = ("low", "medium", "high")
LEVEL_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}

# SVG user units; the template scales the drawing to the page width.
WIDTH = 480
HEIGHT = 330
LEFT = 78  # room for the y-axis title and labels
RIGHT = 8
TOP = 8
BOTTOM = 50  # room for the x-axis labels and title
CELL_W = (WIDTH - LEFT - RIGHT) / 3
CELL_H = (HEIGHT - TOP - BOTTOM) / 3
MAX_RADIUS = 11.0
PADDING = 6.0


def chart_geometry(options: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the grid, axis labels and marker positions for the numbered ``options``.

    Each option needs ``number``, ``expected_effect``, ``feasibility`` and ``recommendation``.
    Options with a level outside low/medium/high are left off the chart (and listed as such).
    """
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {}
    unplaced = []
    for option in options:
        if option["feasibility"] in LEVELS and option["expected_effect"] in LEVELS:
            key = (LEVELS.index(option["feasibility"]), LEVELS.index(option["expected_effect"]))
            cells.setdefault(key, []).append(option)
        else:
            unplaced.append(option)

    markers = []
    for (column, row), members in sorted(cells.items()):
        x0 = LEFT + column * CELL_W
        # Row 0 (low effect) is at the bottom.
        y0 = TOP + (2 - row) * CELL_H
        markers.extend(_pack(members, x0, y0))
    markers.sort(key=lambda marker: marker["number"])

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "plot": {"x": _r(LEFT), "y": _r(TOP), "width": _r(CELL_W * 3), "height": _r(CELL_H * 3)},
        "columns": [
            {
                "x": _r(LEFT + i * CELL_W),
                "centre": _r(LEFT + (i + 0.5) * CELL_W),
                "label": LEVEL_LABELS[level],
            }
            for i, level in enumerate(LEVELS)
        ],
        "rows": [
            {
                "y": _r(TOP + (2 - i) * CELL_H),
                "centre": _r(TOP + (2.5 - i) * CELL_H),
                "label": LEVEL_LABELS[level],
            }
            for i, level in enumerate(LEVELS)
        ],
        "gridlines_x": [_r(LEFT + i * CELL_W) for i in range(4)],
        "gridlines_y": [_r(TOP + i * CELL_H) for i in range(4)],
        "plot_right": _r(LEFT + 3 * CELL_W),
        "plot_bottom": _r(TOP + 3 * CELL_H),
        "tick_label_x": _r(LEFT - 6),
        "tick_label_y": _r(TOP + 3 * CELL_H + 14),
        "x_title": {"x": _r(LEFT + 1.5 * CELL_W), "y": _r(HEIGHT - 8)},
        "y_title": {"x": _r(16), "y": _r(TOP + 1.5 * CELL_H)},
        "markers": markers,
        "unplaced": unplaced,
        "count": len(markers),
    }


def _pack(members: list[dict[str, Any]], x0: float, y0: float) -> list[dict[str, Any]]:
    """Place the cell's markers on the smallest grid that keeps them apart."""
    count = len(members)
    usable_w, usable_h = CELL_W - 2 * PADDING, CELL_H - 2 * PADDING
    columns = max(1, math.ceil(math.sqrt(count * usable_w / usable_h)))
    rows = math.ceil(count / columns)
    pitch = min(usable_w / columns, usable_h / rows)
    radius = min(MAX_RADIUS, pitch * 0.42)
    # Centre the block of markers in the cell.
    block_w, block_h = pitch * min(columns, count), pitch * rows
    left = x0 + PADDING + (usable_w - block_w) / 2
    top = y0 + PADDING + (usable_h - block_h) / 2
    placed = []
    for index, option in enumerate(members):
        cx = left + (index % columns + 0.5) * pitch
        cy = top + (index // columns + 0.5) * pitch
        placed.append(
            {
                "option": option,
                "number": option["number"],
                "shape": option["recommendation"],
                "cx": _r(cx),
                "cy": _r(cy),
                "r": _r(radius),
                # A square of the same visual weight as the circle.
                "square": {"x": _r(cx - radius * 0.9), "y": _r(cy - radius * 0.9)},
                "side": _r(radius * 1.8),
                "font_size": _r(max(radius * 0.95, 5.0)),
                "text_y": _r(cy + radius * 0.34),
            }
        )
    return placed


def _r(value: float) -> str:
    """Format a coordinate for SVG: as a string, so template localisation cannot touch it."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
