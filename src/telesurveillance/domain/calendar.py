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
