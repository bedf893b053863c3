"""The ambulatory glucose profile (AGP): the readings of many days laid over one modal day,
summarised by the 5th, 25th, 50th, 75th and 95th percentiles per slot of the day (Battelino et
al., Diabetes Care 2019, Figure 1: the AGP of the standardised CGM report).

Slots are read in Paris local time (a meal at 12:30 is at 12:30 in summer and in winter). Each
curve is smoothed over the neighbouring slots (the modal day wraps at midnight), as AGP reports
are, to show the pattern rather than the noise of single readings.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading

PERCENTILES = (5, 25, 50, 75, 95)
SLOT_MINUTES = 15
SLOTS = 24 * 60 // SLOT_MINUTES
#: a slot with fewer readings is left empty (a gap in the curves), not guessed
MIN_READINGS = 5
#: each slot is averaged with this many slots on each side (±30 minutes)
SMOOTH = 2


@dataclass(frozen=True, slots=True)
class Slot:
    """One slot of the modal day: its start (minutes after midnight) and its percentiles, or
    None when it holds too few readings."""

    minute: int
    count: int
    values: tuple[float, ...] | None


def quantile(ordered: Sequence[float], q: float) -> float:
    """The `q` quantile (0..1) of sorted values, linearly interpolated between ranks."""
    if not ordered:
        raise ValueError("no values")
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def slot_of(ts: int) -> int:
    local = reading.instant(ts).astimezone(calendar.PARIS)
    return (local.hour * 60 + local.minute) // SLOT_MINUTES


def modal_day(instants: Sequence[int], values: Sequence[float]) -> tuple[Slot, ...]:
    """The percentile curves of `values` (at `instants`, UTC ms) over the modal day."""
    return modal_day_of_walls(calendar.paris_wall_ms(instants), values)


def modal_day_of_walls(walls: Sequence[int], values: Sequence[float]) -> tuple[Slot, ...]:
    """`modal_day` of readings whose instants are already read on the Paris wall clock
    (`calendar.paris_wall_ms`), as the report does once for all its figures."""
    slot_ms = SLOT_MINUTES * 60_000
    day_ms = calendar.DAY_MS
    bins: list[list[float]] = [[] for _ in range(SLOTS)]
    for wall, value in zip(walls, values, strict=True):
        bins[wall % day_ms // slot_ms].append(value)
    raw: list[tuple[float, ...] | None] = []
    for found in bins:
        ordered = sorted(found)
        if len(ordered) < MIN_READINGS:
            raw.append(None)
        else:
            raw.append(tuple(quantile(ordered, p / 100) for p in PERCENTILES))
    return tuple(
        Slot(i * SLOT_MINUTES, len(bins[i]), _smoothed(raw, i) if raw[i] else None)
        for i in range(SLOTS)
    )


def _smoothed(raw: Sequence[tuple[float, ...] | None], i: int) -> tuple[float, ...]:
    near = [raw[(i + k) % SLOTS] for k in range(-SMOOTH, SMOOTH + 1)]
    kept = [n for n in near if n is not None]
    return tuple(math.fsum(n[p] for n in kept) / len(kept) for p in range(len(PERCENTILES)))


def clock(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)
