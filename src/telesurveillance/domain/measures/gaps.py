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
from telesurveillance.domain.measures import reading

#: a silence longer than this many usual intervals breaks the line
SILENCE = 3


def breaks(instants: Sequence[int]) -> list[int]:
    """Indices `i` such that the line must not join reading `i - 1` to reading `i`."""
    if len(instants) < 2:
        return []
    gaps = [b - a for a, b in itertools.pairwise(instants)]
    usual = statistics.median(gaps)
    days = [calendar.paris_day(reading.instant(t)) for t in instants]
    out = []
    for i in range(1, len(instants)):
        skipped_day = (days[i] - days[i - 1]).days > 1
        silent = usual > 0 and gaps[i - 1] > SILENCE * usual
        if skipped_day or silent:
            out.append(i)
    return out


def with_gaps(
    instants: Sequence[int], values: Sequence[float]
) -> tuple[list[int], list[float | None]]:
    """The series with a missing value (None) half-way across each break, which a chart draws
    as a hole in the line."""
    cut = set(breaks(instants))
    xs: list[int] = []
    ys: list[float | None] = []
    for i, (ts, value) in enumerate(zip(instants, values, strict=True)):
        if i in cut:
            xs.append((instants[i - 1] + ts) // 2)
            ys.append(None)
        xs.append(ts)
        ys.append(value)
    return xs, ys
