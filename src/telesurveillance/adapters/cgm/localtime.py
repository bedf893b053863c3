"""Export timestamps: local wall-clock times without a zone, in the account's date order.

LibreView writes `DD-MM-YYYY HH:MM` or `MM-DD-YYYY hh:mm AM` depending on the account's
settings; Clarity writes `YYYY-MM-DDThh:mm:ss`. The order is read from the data, never guessed:
a file where every date reads both ways with different results is refused (`detect_order`).

Wall times become instants in a zone (Europe/Paris by default). Daylight-saving transitions are
handled explicitly (`instant`):

- spring gap (02:00–03:00 does not exist on the last Sunday of March): the time is read with
  the offset in force before the change — a device clock not yet put forward — so 02:30 is
  01:30 UTC;
- autumn overlap (02:00–03:00 happens twice on the last Sunday of October): the first
  occurrence of a wall time (for one device and one kind of record) is summer time, a second
  occurrence winter time (`Overlap`); platforms write each device's records in time order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

_STAMP = re.compile(
    r"^(?P<p>\d{1,4})[-/.](?P<q>\d{1,2})[-/.](?P<r>\d{1,4})"
    r"(?:[ T]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?)$"
)


class DateOrder(StrEnum):
    DAY_FIRST = "DMY"
    MONTH_FIRST = "MDY"
    YEAR_FIRST = "YMD"


@dataclass(frozen=True, slots=True)
class Stamp:
    """A timestamp's fields before the date order is known: `first` and `second` are the two
    numbers before the year (or month and day when the year comes first)."""

    first: int
    second: int
    year: int
    hour: int
    minute: int
    seconds: int
    year_first: bool

    def wall(self, order: DateOrder) -> dt.datetime:
        """The naive local date-time under `order`; raises ValueError if it does not exist."""
        if self.year_first or order is DateOrder.YEAR_FIRST:
            month, day = self.first, self.second
        elif order is DateOrder.DAY_FIRST:
            day, month = self.first, self.second
        else:
            month, day = self.first, self.second
        return dt.datetime(self.year, month, day, self.hour, self.minute, self.seconds)  # noqa: DTZ001 — a local wall time, placed in its zone by `instant`

    def reads(self, order: DateOrder) -> bool:
        try:
            self.wall(order)
        except ValueError:
            return False
        return True


def parse(text: str) -> Stamp:
    """The fields of an export timestamp; raises ValueError naming the text if it is not one."""
    found = _STAMP.match(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a date and time")
    p, q, r = found["p"], found["q"], found["r"]
    year_first = len(p) == 4
    if not year_first and len(r) != 4:
        raise ValueError(f"{text!r} has no four-digit year")
    hour = int(found["h"])
    ampm = found["ampm"]
    if ampm is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r}: hour {hour} with AM/PM")
        hour = hour % 12 + (12 if ampm[0] in "Pp" else 0)
    stamp = Stamp(
        first=int(q) if year_first else int(p),
        second=int(r) if year_first else int(q),
        year=int(p) if year_first else int(r),
        hour=hour,
        minute=int(found["m"]),
        seconds=int(found["s"] or 0),
        year_first=year_first,
    )
    if not (stamp.reads(DateOrder.DAY_FIRST) or stamp.reads(DateOrder.MONTH_FIRST)):
        raise ValueError(f"{text!r} is not a valid date and time")
    return stamp


def detect_order(stamps: Iterable[Stamp]) -> DateOrder | None:
    """The one date order every stamp reads in; `None` if the stamps cannot tell.

    Raises ValueError when no single order fits every stamp (a file mixing both orders).
    """
    candidates = {DateOrder.DAY_FIRST, DateOrder.MONTH_FIRST}
    differs = False
    year_first = other = 0
    for stamp in stamps:
        if stamp.year_first:
            year_first += 1
            continue
        other += 1
        candidates &= {o for o in (DateOrder.DAY_FIRST, DateOrder.MONTH_FIRST) if stamp.reads(o)}
        differs = differs or stamp.first != stamp.second
    if year_first and other:
        raise ValueError("the file mixes year-first dates with day/month dates")
    if year_first:
        return DateOrder.YEAR_FIRST
    if not other:
        return None
    if not candidates:
        raise ValueError("no single date order (day/month or month/day) fits every date")
    if len(candidates) == 1:
        return next(iter(candidates))
    # Both orders read every date: they agree only if no date has day and month apart.
    return None if differs else DateOrder.DAY_FIRST


class Transition(StrEnum):
    NONE = "none"
    GAP = "gap"
    OVERLAP = "overlap"


def transition(wall: dt.datetime, zone: ZoneInfo) -> Transition:
    """Whether `wall` falls in a daylight-saving gap or overlap of `zone`."""
    earlier = wall.replace(tzinfo=zone, fold=0)
    later = wall.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return Transition.NONE
    back = earlier.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    return Transition.OVERLAP if back == wall else Transition.GAP


def instant(
    wall: dt.datetime,
    zone: ZoneInfo,
    *,
    second_pass: bool = False,
    found: Transition | None = None,
) -> dt.datetime:
    """The UTC instant of local `wall` in `zone`, by the rules in the module docstring
    (`found`: the wall's `transition`, when the caller has it already)."""
    match found or transition(wall, zone):
        case Transition.NONE:
            return wall.replace(tzinfo=zone).astimezone(dt.UTC)
        case Transition.GAP:
            # PEP 495: fold=0 reads a missing time with the offset before the transition.
            return wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
        case Transition.OVERLAP:
            return wall.replace(tzinfo=zone, fold=1 if second_pass else 0).astimezone(dt.UTC)


class Overlap:
    """Tells the second occurrence of an ambiguous autumn wall time from the first.

    Keyed by what makes a series (device and kind of record): two devices may each record
    02:30 once in the same night.
    """

    def __init__(self) -> None:
        self._seen: set[tuple[object, dt.datetime]] = set()

    def second_pass(
        self, series: object, wall: dt.datetime, zone: ZoneInfo, found: Transition | None = None
    ) -> bool:
        if (found or transition(wall, zone)) is not Transition.OVERLAP:
            return False
        key = (series, wall)
        if key in self._seen:
            return True
        self._seen.add(key)
        return False
