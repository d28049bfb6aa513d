"""Bar charts drawn on the server as SVG: no script, no CDN, text the screen reader and the
translation catalogue see. The geometry is computed here; templates/reports/bar_chart.html
draws it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WIDTH, HEIGHT = 960, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 12, 36
MAX_X_LABELS = 16


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar (short)
    title: str  # when pointed at (whole)
    value: int
    show_label: bool

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class BarChart:
    id: str
    title: StrOrPromise
    description: StrOrPromise
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) of each horizontal grid line
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    label_y: float = HEIGHT - BOTTOM + 16


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def bar_chart(*, chart_id: str, title: StrOrPromise, description: StrOrPromise,
              points: list[tuple[str, str, int]]) -> BarChart:
    """`points`: (short label, whole label, value) per bar, in order."""
    top = nice_ceiling(max((value for _, _, value in points), default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(points), 1)
    every = math.ceil(len(points) / MAX_X_LABELS) or 1
    bars = []
    for n, (label, whole, value) in enumerate(points):
        height = plot_height * value / top
        bars.append(Bar(x=round(LEFT + n * slot + slot * 0.15, 2),
                        y=round(TOP + plot_height - height, 2),
                        width=round(max(slot * 0.7, 1), 2), height=round(height, 2),
                        label=label, title=whole, value=value, show_label=n % every == 0))
    ticks = [(round(TOP + plot_height * (1 - share), 2), round(top * share))
             for share in (0, 0.5, 1) if top * share == int(top * share)]
    return BarChart(id=chart_id, title=title, description=description, bars=bars, ticks=ticks)
