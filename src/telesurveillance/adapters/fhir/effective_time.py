"""Observation.effective[x] → the instant a reading is stored at, at every precision FHIR R4
allows (http://hl7.org/fhir/R4/datatypes.html#dateTime, #instant, #Period):

- `effectiveDateTime` with a time (a zone is then required by FHIR): that instant. The R4
  datatype wants the seconds ("seconds must be provided due to schema type constraints but may
  be zero-filled"); devices and apps that write `10:30+01:00` mean `10:30:00+01:00`, so the
  seconds are zero-filled before the model reads them (`zero_filled`);
- `effectiveDateTime` that is a date (`2012-09-17`): the reading counts on that Paris day, and is
  stored at its first instant, 00:00 Paris time. Its plausibility is then exactly "that day is
  not after today in Paris" (`instants.Window.day_refusal`), not before the LATM common law's
  first day, nor before the patient's birth day;
- a year or a year and month alone is refused: a reading counts on one day (observance,
  billing, alerts), and which day of the month or year is not known;
- `effectivePeriod`: its `end`, else its `start` (each read as above); an end before the start
  is refused (FHIR invariant per-1);
- `effectiveInstant`: that instant;
- `effectiveTiming` is refused (a schedule is not the time of one measurement).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import observation as r4b_observation

from telesurveillance.adapters.fhir import outcome
from telesurveillance.domain.measures import instants, reading

#: A dateTime to the minute, with its zone, and without seconds: `2026-01-14T10:30+01:00`.
_MINUTES = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d)(Z|[+-]\d\d:\d\d)")
_DAY_MS = 86_400_000


def zero_filled(resource: dict[str, Any]) -> dict[str, Any]:
    """`resource` with the seconds of `effectiveDateTime` and `effectivePeriod.start`/`end`
    zero-filled when they were given to the minute (a shallow copy when it changes anything;
    nothing else is touched)."""
    changed: dict[str, Any] = {}
    value = resource.get("effectiveDateTime")
    if isinstance(value, str) and _MINUTES.fullmatch(value):
        changed["effectiveDateTime"] = _with_seconds(value)
    period = resource.get("effectivePeriod")
    if isinstance(period, dict):
        ends = {
            key: _with_seconds(period[key])
            for key in ("start", "end")
            if isinstance(period.get(key), str) and _MINUTES.fullmatch(period[key])
        }
        if ends:
            changed["effectivePeriod"] = {**period, **ends}
    return {**resource, **changed} if changed else resource


def _with_seconds(value: str) -> str:
    found = _MINUTES.fullmatch(value)
    assert found is not None
    return f"{found.group(1)}:00{found.group(2)}"


@dataclass(frozen=True, slots=True)
class Effective:
    """The instant a reading is stored at (`ts`, UTC milliseconds) and the element it came from."""

    ts: int
    where: str
    #: the value as the client wrote it (for refusals)
    shown: str
    #: True when only the day was given (stored at 00:00 Paris time)
    day_only: bool = False

    @property
    def end(self) -> int:
        """The first instant after what the value stands for (the next day for a date)."""
        return self.ts + (_DAY_MS if self.day_only else 1)


def resolve(model: r4b_observation.Observation, window: instants.Window) -> Effective:
    """The effective time of `model` as one instant inside `window`, or a refusal naming the
    element."""
    if model.effectiveInstant is not None:
        found = _read(model.effectiveInstant, "Observation.effectiveInstant")
    elif model.effectiveDateTime is not None:
        found = _read(model.effectiveDateTime, "Observation.effectiveDateTime")
    elif model.effectivePeriod is not None:
        found = _period(model.effectivePeriod)
    elif model.effectiveTiming is not None:
        raise outcome.Invalid(
            "the effective time must be the time of the measurement (effectiveDateTime, "
            "effectivePeriod or effectiveInstant), not a timing",
            "Observation.effectiveTiming",
            code="not-supported",
        )
    else:
        raise outcome.Invalid(
            "the effective time is required (effectiveDateTime, effectivePeriod or "
            "effectiveInstant)",
            "Observation.effectiveDateTime",
            code="required",
        )
    why = window.day_refusal(found.ts, found.shown) if found.day_only else None
    why = why or window.refusal(found.ts, found.shown)
    if why is not None:
        raise outcome.Invalid(why, found.where, code="value")
    return found


def _period(period: Any) -> Effective:
    where = "Observation.effectivePeriod"
    start = None if period.start is None else _read(period.start, f"{where}.start")
    end = None if period.end is None else _read(period.end, f"{where}.end")
    if start is not None and end is not None and end.end <= start.ts:
        raise outcome.Invalid(
            f"the period ends ({end.shown}) before it starts ({start.shown})",
            end.where,
            code="value",
        )
    found = end or start
    if found is None:
        raise outcome.Invalid(
            "the period needs its end or its start (the time of the measurement)",
            where,
            code="required",
        )
    return found


def _read(value: object, where: str) -> Effective:
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:  # the FHIR regex requires the zone: never expected
            raise outcome.Invalid(f"{value.isoformat()} has a time but no time zone", where)
        return Effective(reading.millis(value), where, _shown(value))
    if isinstance(value, dt.date):
        return Effective(instants.paris_midnight_ms(value), where, value.isoformat(), True)
    text = str(value)
    if re.fullmatch(r"\d{4}(-\d\d)?", text):
        given = "year" if len(text) == 4 else "month"
        raise outcome.Invalid(
            f"{text} gives only the {given}: a reading counts on one day, give at least the "
            "date (YYYY-MM-DD)",
            where,
            code="value",
        )
    raise outcome.Invalid(f"{text} is not a time we can store (a leap second?)", where)


def _shown(value: dt.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
