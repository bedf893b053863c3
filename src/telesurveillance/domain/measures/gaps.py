"""Where a chart's line must break: a line joins two consecutive readings only when the care
team can trust that nothing happened unseen between them.

A line never joins across a Paris day without any reading of the series (a weight on Monday and
one on Wednesday are two points, not a trend through Tuesday), nor across a silence longer than
three times the series' usual interval (a sensor that sends every 5 minutes and stops for an
hour has a hole, not a straight line). Pure: instants in UTC milliseconds, sorted.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from telesurveillance.domain import calendar

#: a silence longer than this many usual intervals breaks the line
SILENCE = 3


def breaks(instants: Sequence[int]) -> list[int]:
    """Indices `i` such that the line must not join reading `i - 1` to reading `i`."""
    if len(instants) < 2:
        return []
    gaps = [b - a for a, b in itertools.pairwise(instants)]
    usual = statistics.median(gaps)
    # Paris day numbers, one wall-clock pass for the whole series (thousands of CGM points)
    days = [wall // calendar.DAY_MS for wall in calendar.paris_wall_ms(instants)]
    longest = SILENCE * usual if usual > 0 else None
    out = []
    for i in range(1, len(instants)):
        skipped_day = days[i] - days[i - 1] > 1
        silent = longest is not None and gaps[i - 1] > longest
        if skipped_day or silent:
            out.append(i)
    return out


def with_gaps(
    instants: Sequence[int], values: Sequence[float]
) -> tuple[list[int], list[float | None]]:
    """The series with a missing value (None) half-way across each break, which a chart draws
    as a hole in the line."""
    if len(instants) != len(values):
        raise ValueError("as many values as instants are expected")
    xs: list[int] = []
    ys: list[float | None] = []
    done = 0
    for i in breaks(instants):  # whole runs copied at once between the holes
        xs += instants[done:i]
        ys += values[done:i]
        xs.append((instants[i - 1] + instants[i]) // 2)
        ys.append(None)
        done = i
    xs += instants[done:]
    ys += values[done:]
    return xs, ys
