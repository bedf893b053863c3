"""A normalised reading, as stored: patient, kind, UTC milliseconds, canonical value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telesurveillance.domain import calendar

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True, order=True)
class Reading:
    """`ts` is the instant in UTC milliseconds; `value` is in the kind's canonical unit."""

    patient_id: int
    kind: int
    ts: int
    value: float

    @property
    def instant(self) -> dt.datetime:
        return instant(self.ts)

    @property
    def day(self) -> dt.date:
        """The Paris day the reading counts on (observance, billing)."""
        return calendar.paris_day(self.instant)


def millis(moment: dt.datetime) -> int:
    """UTC milliseconds of an aware instant (sub-millisecond precision is dropped)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"instant {moment.isoformat()} has no time zone")
    return (moment - _EPOCH) // dt.timedelta(milliseconds=1)


def instant(ts: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(milliseconds=ts)
