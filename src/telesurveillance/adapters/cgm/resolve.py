"""Shared last steps of the export parsers: dates in the file's order, duplicates at one instant.

Parsers first read every line into a `Pending` (the raw timestamp still unread, because the
date order is only known once every date of the file has been seen), then `finish` places the
dates in the zone, builds the readings and marks duplicates, deterministically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telesurveillance.adapters.cgm import lines, localtime, text
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures


@dataclass(frozen=True, slots=True)
class Pending:
    """A line whose reading waits for the file's date order.

    `value` is in `unit` (or already canonical when `bound` is set); `rank` orders two lines in
    one duplicate group (lower wins: LibreView's historic before scan); `series` keys the
    autumn-overlap rule (device and record kind) and `sequence` orders a series when the sender
    numbers its records (Dexcom transmitter time), file order otherwise; `field` names the
    timestamp column.
    """

    number: int
    stamp: localtime.Stamp
    kind: measures.Kind
    value: float
    unit: str
    value_field: str
    field: str
    origin: lines.Origin
    series: object
    rank: int = 0
    bound: lines.Bound | None = None
    sequence: int = 0


def order_of(pending: Sequence[Pending], given: localtime.DateOrder | None) -> localtime.DateOrder:
    """The date order: the caller's, else the one the file's dates prove; refuses ambiguity."""
    stamps = [p.stamp for p in pending]
    if given is not None:
        if any(s.year_first for s in stamps):
            return localtime.DateOrder.YEAR_FIRST
        bad = next((p for p in pending if not p.stamp.reads(given)), None)
        if bad is not None:
            raise lines.ExportError(f"the date does not read in order {given}", bad.number)
        return given
    try:
        found = localtime.detect_order(stamps)
    except ValueError as error:
        raise lines.ExportError(str(error)) from None
    if found is None and stamps:
        example = next(p for p in pending if p.stamp.first != p.stamp.second)
        raise lines.ExportError(
            "the date order is ambiguous: every date reads both day/month and month/day "
            f"(line {example.number}); say which order the export uses"
        )
    return found or localtime.DateOrder.DAY_FIRST


def finish(
    pending: Sequence[Pending],
    others: Sequence[lines.Line],
    *,
    patient_id: int,
    zone: ZoneInfo,
    order: localtime.DateOrder,
) -> tuple[lines.Line, ...]:
    """All lines in input order: the pending ones as readings (or refusals, or duplicates)."""
    overlap = localtime.Overlap()
    built: dict[int, lines.Line] = {line.number: line for line in others}
    winners: dict[tuple[int, int], Pending] = {}
    readings: dict[int, reading.Reading] = {}
    for item in sorted(pending, key=lambda p: (p.sequence, p.number)):
        wall = item.stamp.wall(order)
        found_transition = localtime.transition(wall, zone)
        second = overlap.second_pass(item.series, wall, zone, found_transition)
        moment = localtime.instant(wall, zone, second_pass=second, found=found_transition)
        try:
            value = item.value if item.bound else item.kind.normalise(item.value, item.unit)
        except measures.MeasurementError as error:
            built[item.number] = refused(item.number, str(error), item.value_field)
            continue
        found = reading.Reading(patient_id, item.kind.id, reading.millis(moment), value)
        readings[item.number] = found
        key = (found.kind, found.ts)
        best = winners.get(key)
        if best is None or (item.rank, item.number) < (best.rank, best.number):
            winners[key] = item
    for item in pending:
        if item.number in built:
            continue
        found = readings[item.number]
        best = winners[(found.kind, found.ts)]
        if best is item:
            built[item.number] = lines.Line(
                item.number, (lines.Sourced(found, item.origin, item.bound),)
            )
        else:
            built[item.number] = lines.Line(
                item.number,
                skipped=lines.Skip.DUPLICATE,
                note=f"same measurement and instant as line {best.number}, which is kept",
            )
    return tuple(built[n] for n in sorted(built))


def glucose_value(
    raw: str, bounds: dict[str, tuple[float, lines.Bound]], column: str
) -> tuple[float, lines.Bound | None]:
    """A glucose cell: a number, or a range word of `bounds` (keys lower-case) with its stored
    value; raises ValueError with the reason to report."""
    bound = bounds.get(raw.lower())
    if bound is not None:
        return bound
    if not raw:
        raise ValueError(f"no value in {column}")
    try:
        return text.number(raw), None
    except ValueError:
        raise ValueError(f"{raw!r} is not a glucose value") from None


def refused(number: int, reason: str, field: str | None = None) -> lines.Line:
    return lines.Line(number, refusal=lines.Refusal(number, reason, field))
