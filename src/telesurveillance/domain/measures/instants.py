"""Plausible instants of a reading (clinical safety): the window a reading's instant must fall in.

A reading dated in the future moves the patient's last-reading marker and would silence the
no-data alert; a reading dated long ago is a device whose clock was reset. So an instant is
refused when it lies

- after *now* plus the clock tolerance (devices' clocks drift by seconds or minutes; the
  tolerance is a setting of the edges, `TELESURVEILLANCE_CLOCK_TOLERANCE_SECONDS`, five
  minutes by default);
- before the first day of the LATM common law (the first day any parameter of the packaged
  regulation is in force, `Regulation.common_law_start`): no reading of a prise en charge under
  the common law can be older;
- before the patient's birth (checked where the patient is looked up before the write, as a
  Paris day: a reading on the day of birth is accepted).

A reading given by its day alone is stored at that day's first instant, 00:00 Paris time
(`paris_midnight_ms`), so the same window judges it exactly by its day: not after today in
Paris (`Window.day_refusal` says so in those words), not before the floor's day, not before the
birth day.

The domain is handed `now`; it never reads the clock.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading

#: Default clock tolerance: device clocks synchronised by NTP or by their phone app drift by
#: seconds; a few minutes covers a phone whose clock is set by hand.
DEFAULT_TOLERANCE = dt.timedelta(minutes=5)


@functools.lru_cache(maxsize=4096)
def paris_midnight_ms(day: dt.date) -> int:
    """The UTC instant (ms) at which the Paris day `day` begins."""
    return reading.millis(dt.datetime.combine(day, dt.time(0), tzinfo=calendar.PARIS))


@dataclass(frozen=True, slots=True)
class Window:
    """Instants a reading may have, `[earliest, latest]` in UTC milliseconds (both inclusive)."""

    earliest: int
    latest: int
    floor: dt.date
    tolerance: dt.timedelta

    def __contains__(self, ts: object) -> bool:
        return isinstance(ts, int) and self.earliest <= ts <= self.latest

    def refusal(self, ts: int, shown: str) -> str | None:
        """Why the instant `ts` (written `shown` in the input) is refused, or None."""
        if ts > self.latest:
            return (
                f"{shown} is in the future (more than {_duration(self.tolerance)} ahead of the "
                "server's clock): check the device's date and time"
            )
        if ts < self.earliest:
            return (
                f"{shown} is before {self.floor.isoformat()}, the start of the LATM common law: "
                "no telemonitoring reading can be that old (check the device's date and time)"
            )
        return None

    def day_refusal(self, ts: int, shown: str) -> str | None:
        """Why a reading given by its day alone (`shown`, stored at `ts`, 00:00 Paris time of
        that day) is refused, or None. It is accepted up to today in Paris, read at the clock
        plus the tolerance (as an instant is), and from the LATM common law's first day."""
        if ts > self.latest:
            now = reading.instant(self.latest) - self.tolerance
            return (
                f"{shown} is after today ({calendar.paris_day(now).isoformat()} in Paris): "
                "check the device's date"
            )
        return self.refusal(ts, shown)


def window(now: dt.datetime, tolerance: dt.timedelta, floor: dt.date) -> Window:
    """The window of plausible instants at `now` (aware) with a clock `tolerance` (≥ 0)."""
    if tolerance < dt.timedelta(0):
        raise ValueError(f"the clock tolerance must not be negative, got {tolerance}")
    return Window(paris_midnight_ms(floor), reading.millis(now + tolerance), floor, tolerance)


def birth_refusal(ts: int, born_on: dt.date, written: str | None = None) -> str | None:
    """Why a reading at `ts` (written `written` in the input, by default `shown(ts)`) is refused
    for a patient born on `born_on` (its Paris day is before the birth), or None."""
    if ts >= paris_midnight_ms(born_on):
        return None
    written = shown(ts) if written is None else written
    return f"{written} is before the patient's birth date ({born_on.isoformat()})"


def shown(ts: int) -> str:
    """An instant of the window as text (UTC, to the millisecond)."""
    return reading.instant(ts).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _duration(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
