"""Days and periods: the one place where instants become Paris days and days become periods.

Ranges are half-open `[start, end)`. Period arithmetic uses Python's floor division, which differs
from SQL's truncating division for days before the start: keep it here, tested on both sides.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_day(instant: dt.datetime) -> dt.date:
    """The Paris calendar day of an aware instant (a reading's day for observance and billing)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone")
    return instant.astimezone(PARIS).date()


@dataclass(frozen=True, slots=True)
class Period:
    """Billing period `number` (from 1): `[start, end)`; `last_day` is inclusive."""

    number: int
    start: dt.date
    end: dt.date

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def period(starts_on: dt.date, number: int, length_days: int) -> Period:
    """Period `number` counted date to date from the start of monitoring (not calendar months)."""
    if number < 1:
        raise ValueError(f"period numbers start at 1, got {number}")
    start = starts_on + dt.timedelta(days=length_days * (number - 1))
    return Period(number, start, start + dt.timedelta(days=length_days))


def period_number(starts_on: dt.date, day: dt.date, length_days: int) -> int:
    """The number of the period holding `day`; 0 or less for days before the start (floored)."""
    return (day - starts_on).days // length_days + 1


def ended_before(starts_on: dt.date, day: dt.date, length_days: int) -> int:
    """How many periods have ended before `day` (their last day is before it): the periods a
    billing run on `day` judges, at most."""
    return max(0, period_number(starts_on, day, length_days) - 1)


def days_per_period(
    starts_on: dt.date, days: Iterable[dt.date], length_days: int
) -> collections.Counter[int]:
    """Period number → how many of `days` fall in it, with `period_number`'s arithmetic in one
    pass (days before the start land on 0 or less): the engine counts every stream's days."""
    return collections.Counter([(day - starts_on).days // length_days + 1 for day in days])


def first_period_starting_on_or_after(starts_on: dt.date, day: dt.date, length_days: int) -> int:
    """The smallest period number whose first day is on or after `day` (at least 1)."""
    offset = (day - starts_on).days
    return max(1, -(-offset // length_days) + 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, clamped to the month's last day (for texts
    that count in months or years, e.g. the PECAN year: 30 October 2023 → 30 October 2024)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


_HOUR_MS = 3_600_000
#: milliseconds in a day of the Paris wall clock (`paris_wall_ms`)
DAY_MS = 86_400_000
_UTC_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _offset_ms(ts: int) -> int:
    moment = (_UTC_EPOCH + dt.timedelta(milliseconds=ts)).astimezone(PARIS)
    offset = moment.utcoffset()
    assert offset is not None  # an aware datetime in a ZoneInfo zone
    return offset // dt.timedelta(milliseconds=1)


def paris_wall_ms(instants: Iterable[int]) -> list[int]:
    """Each UTC instant (milliseconds since 1970-01-01 UTC) as the Paris wall clock reads it,
    in milliseconds since 1970-01-01 00:00 *Paris*: `// DAY_MS` numbers the Paris day
    (`wall_day`), `% DAY_MS` is the time of day. The same answers as `paris_day` and
    `astimezone(PARIS)`, for a series of thousands of readings (a chart, a glucose report)
    without two datetimes per reading.

    The offset is looked up once per UTC day when both ends of the day read the same one: Paris
    changes its offset at most once a day (twice a year at 01:00 UTC since 1996, directive
    2000/84/EC; months apart in every older rule). A day whose ends differ is read hour by
    hour, and an hour whose ends differ (a change inside the hour, as in 1911) instant by
    instant."""
    out: list[int] = []
    span_start, span_end, offset = 0, 0, 0  # [start, end) of the last constant offset
    for ts in instants:
        if not span_start <= ts < span_end:
            span_start, span_end, offset = _constant_around(ts)
        out.append(ts + offset)
    return out


def _constant_around(ts: int) -> tuple[int, int, int]:
    """A span `[start, end)` holding `ts` over which Paris keeps one offset, and that offset
    (a one-millisecond span when the offset changes inside the hour of `ts`)."""
    for size in (DAY_MS, _HOUR_MS):
        start = ts - ts % size
        offset = _offset_ms(start)
        if offset == _offset_ms(start + size - 1):
            return start, start + size, offset
    return ts, ts + 1, _offset_ms(ts)


def wall_day(wall_ms: int) -> dt.date:
    """The Paris day of a `paris_wall_ms` value."""
    return dt.date.fromordinal(_EPOCH_ORDINAL + wall_ms // DAY_MS)
