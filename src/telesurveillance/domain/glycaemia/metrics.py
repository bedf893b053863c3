"""Summary figures of sensor glucose readings (Battelino et al., Diabetes Care 2019, Table 1):
time in each band, mean glucose, glucose management indicator, coefficient of variation and the
share of time the sensor was active. Pure functions over values in mg/dL and instants in UTC
milliseconds."""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from telesurveillance.domain.glycaemia import consensus

_MINUTE_MS = 60_000
#: A reading stands for the sensor's sampling interval, taken as the median gap between
#: readings, kept within 1 minute (the densest sensors) and 15 minutes (the stored history of
#: the slowest); a lone reading stands for 5 minutes, the most common interval.
_INTERVAL_MS = (1 * _MINUTE_MS, 15 * _MINUTE_MS)
_LONE_MS = 5 * _MINUTE_MS


@dataclass(frozen=True, slots=True)
class Share:
    """The share of readings in one band, in percent, and the same as time per day."""

    band: consensus.Band
    percent: float

    @property
    def minutes_per_day(self) -> int:
        return round(self.percent / 100 * 24 * 60)


def shares(values: Sequence[float], profile: consensus.Profile) -> tuple[Share, ...]:
    """The percent of readings in each band of `profile`, in band order (they sum to 100, or
    all are 0 without readings)."""
    # The bands rise (the loader checks it): a value's band is the first whose limit is above
    # it, found by bisection; an inclusive bound `b` is the limit just above b.
    limits = [
        math.nextafter(b.bound, math.inf) if b.inclusive else b.bound
        for b in profile.bands
        if b.bound is not None
    ]
    counts = [0] * len(profile.bands)
    for value in values:
        counts[bisect.bisect_right(limits, value)] += 1
    total = len(values)
    return tuple(
        Share(band, 100 * counts[i] / total if total else 0.0)
        for i, band in enumerate(profile.bands)
    )


def share_of(found: Sequence[Share], names: Sequence[str]) -> float:
    return math.fsum(s.percent for s in found if s.band.name in names)


def mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    """SD / mean in percent (sample standard deviation); None under two readings."""
    if len(values) < 2:
        return None
    # two passes with exactly rounded sums (`statistics.stdev` computes in fractions: ~50 times
    # slower on a fortnight of CGM, for digits the report rounds to one decimal)
    average = math.fsum(values) / len(values)
    squares = math.fsum((v - average) * (v - average) for v in values)
    return 100 * math.sqrt(squares / (len(values) - 1)) / average


def interval_ms(instants: Sequence[int]) -> int:
    """The sensor's sampling interval: the median gap between consecutive readings, bounded."""
    return _interval(list(map(operator.sub, instants[1:], instants[:-1])))


def _interval(gaps: list[int]) -> int:
    """`interval_ms` from the gaps between consecutive readings (those not after: ignored)."""
    found = [g for g in gaps if g > 0]
    if not found:
        return _LONE_MS
    low, high = _INTERVAL_MS
    return min(high, max(low, round(statistics.median(found))))


def active_percent(instants: Sequence[int], start_ms: int, end_ms: int) -> float:
    """Percent of `[start_ms, end_ms)` the sensor was active: each reading (sorted) covers the
    sampling interval after it, or up to the next reading if sooner; capped at 100."""
    if end_ms <= start_ms:
        raise ValueError("the window must not be empty")
    inside = [t for t in instants if start_ms <= t < end_ms]
    if not inside:
        return 0.0
    gaps = list(map(operator.sub, inside[1:], inside[:-1]))
    step = _interval(gaps)
    gaps.append(end_ms - inside[-1])
    # each reading covers min(step, the gap after it), a gap never below 0 (C loops: 4,032
    # readings a fortnight)
    covered: int = sum(map(min, itertools.repeat(step), map(max, itertools.repeat(0), gaps)))
    return min(100.0, 100 * covered / (end_ms - start_ms))
