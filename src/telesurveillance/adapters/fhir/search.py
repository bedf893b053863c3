"""Observation search parameters: `patient`, `code`, `date` (with prefixes), `_count`, cursor.

`date` follows FHIR date search (http://hl7.org/fhir/R4/search.html#date): a value stands for
the range its precision covers (`2026-01` is the whole month), a value without a time zone is
read in Europe/Paris (the platform's local time), and the prefixes compare the reading's
instant with that range: `eq` inside, `ge` ≥ its start, `gt` ≥ its end, `lt` < its start,
`le` < its end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from telesurveillance.adapters.fhir import ids, outcome
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services.fhir import ports

_DATE = re.compile(
    r"(eq|ge|gt|le|lt)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?"
)
MAX_COUNT = 1000
#: `k{kind}-t{ts}`: ASCII digits within SMALLINT and BIGINT ("²".isdigit() is true in Python)
_CURSOR = re.compile(r"k([0-9]{1,4})-t(-?[0-9]{1,18})")


def _range(text: str) -> tuple[str, int, int]:
    found = _DATE.fullmatch(text)
    if found is None:
        raise outcome.Invalid(
            f"date {text!r}: expected [prefix]YYYY[-MM[-DD[Thh:mm[:ss][zone]]]]", "date", status=400
        )
    prefix, year, month, day, hour, minute, second, fraction, zone = found.groups()
    try:
        if hour is None:
            start_day = dt.date(int(year), int(month or 1), int(day or 1))
            if day is not None:
                end_day = start_day + dt.timedelta(days=1)
            elif month is not None:
                end_day = (start_day + dt.timedelta(days=32)).replace(day=1)
            else:
                end_day = start_day.replace(year=start_day.year + 1)
            start = dt.datetime.combine(start_day, dt.time(), calendar.PARIS)
            end = dt.datetime.combine(end_day, dt.time(), calendar.PARIS)
        else:
            tz = (
                calendar.PARIS
                if zone is None
                else dt.datetime.fromisoformat(
                    f"2000-01-01T00:00:00{zone.replace('Z', '+00:00')}"
                ).tzinfo
            )
            start = dt.datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=tz
            )
            step = dt.timedelta(minutes=1) if second is None else dt.timedelta(seconds=1)
            if fraction:
                start += dt.timedelta(milliseconds=int(float(fraction) * 1000))
                step = dt.timedelta(milliseconds=1)
            end = start + step
        bounds = reading.millis(start), reading.millis(end)
    except (ValueError, OverflowError) as error:
        raise outcome.Invalid(f"date {text!r}: {error}", "date", status=400) from None
    return prefix or "eq", *bounds


def dates(values: Sequence[str]) -> tuple[int | None, int | None]:
    """[since, until) in UTC milliseconds from one or more `date` parameters (intersected)."""
    since: int | None = None
    until: int | None = None
    for text in values:
        prefix, start, end = _range(text)
        low = {"eq": start, "ge": start, "gt": end}.get(prefix)
        high = {"eq": end, "lt": start, "le": end}.get(prefix)
        if low is not None:
            since = low if since is None else max(since, low)
        if high is not None:
            until = high if until is None else min(until, high)
    return since, until


def codes(values: Sequence[str], table: measures.Table) -> tuple[tuple[int, ...] | None, bool]:
    """(kinds, group panels) of `code` parameters (`system|code` or `code`, comma = or)."""
    if not values:
        return None, True
    kinds: list[int] = []
    panels = False
    for value in values:
        for token in value.split(","):
            system, bar, code = token.partition("|")
            if not bar:
                system, code = "", token
            if system not in ("", measures.LOINC):
                raise outcome.Invalid(f"code system {system!r} is not LOINC", "code", status=400)
            panel = table.panel(code)
            kind = table.by_loinc(code)
            if panel is not None:
                panels = True
                kinds += [k.id for c in panel.components for k in (table.by_loinc(c),) if k]
            elif kind is not None:
                kinds.append(kind.id)
            else:
                raise outcome.Invalid(
                    f"LOINC code {code!r} is not a measurement we store",
                    "code",
                    status=400,
                    code="code-invalid",
                )
    return tuple(sorted(set(kinds))), panels


def patient(values: Sequence[str]) -> int:
    if len(values) != 1:
        raise outcome.Invalid(
            "Observation search needs exactly one patient (patient=<id> or Patient/<id>)",
            "patient",
            status=400,
            code="required",
        )
    return ids.reference("Patient/" + values[0].removeprefix("Patient/"), "Patient", "patient")


def cursor(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    found = _CURSOR.fullmatch(value)
    if found is None:
        raise outcome.Invalid(f"_cursor {value!r} is not a page cursor", "_cursor", status=400)
    return int(found.group(1)), int(found.group(2))


def cursor_text(key: tuple[int, int]) -> str:
    return f"k{key[0]}-t{key[1]}"


def count(value: str | None) -> int:
    """The page size of `_count` (0: the count only, `total` without entries)."""
    if value is None:
        return 100
    if not value.isascii() or not value.isdigit():
        raise outcome.Invalid(f"_count {value!r} is not a number", "_count", status=400)
    return min(int(value), MAX_COUNT)


def query(params: dict[str, list[str]], table: measures.Table) -> ports.Query:
    unknown = set(params) - {
        "patient",
        "subject",
        "code",
        "date",
        "_count",
        "_cursor",
        "_format",
        "_pretty",
    }
    if unknown:
        name = sorted(unknown)[0]
        raise outcome.Invalid(
            f"search parameter {name!r} is not supported on Observation",
            name,
            status=400,
            code="not-supported",
        )
    kinds, panels = codes(params.get("code", []), table)
    since, until = dates(params.get("date", []))
    return ports.Query(
        patient_id=patient(params.get("patient", []) + params.get("subject", [])),
        kinds=kinds,
        since=since,
        until=until,
        after=cursor(_one(params, "_cursor")),
        count=count(_one(params, "_count")),
        panels=panels,
    )


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None
