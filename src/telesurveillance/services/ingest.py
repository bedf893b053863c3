"""Bulk ingestion: parsed lines in, chunks committed, a report of what was accepted or refused.

A refused line never blocks the good ones: each line is parsed and checked on its own; then,
per chunk, with the patients looked up once (`Store.patients`: their birth dates), lines whose
patient does not exist, whose instant is before the patient's birth, or whose readings break a
panel's order with another line at the same instant (a diastolic above the systolic given on
another line) are refused with their number; the good readings are committed in chunks (one
durable transaction each) through the `Store` port. A line is a duplicate when every reading it
carries was already stored (same patient, kind and instant).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures

#: Lines per committed chunk.
CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    diagnostics: str
    expression: str | None = None
    #: the FHIR IssueType of the refusal
    code: str = "invalid"


@dataclass(frozen=True, slots=True)
class Where:
    """Where an input names its patient, its instant and its value (FHIRPath, or the CSV
    column): refusals decided after parsing (unknown patient, instant before the birth, panel
    order across lines) name that element."""

    subject: str = "Observation.subject"
    instant: str = "Observation.effectiveDateTime"
    value: str = "Observation.valueQuantity.value"


OBSERVATION = Where()
CSV = Where("patient", "effective", "value")


@dataclass(frozen=True, slots=True)
class Parsed:
    """One input line: its readings, or why it is refused."""

    line: int
    readings: Sequence[reading.Reading] = ()
    rejected: Rejected | None = None
    where: Where = OBSERVATION


@dataclass(slots=True)
class Report:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    readings: int = 0
    seconds: float = 0.0

    @property
    def lines(self) -> int:
        return self.accepted + self.duplicates + len(self.rejected)

    @property
    def rate(self) -> float:
        """Lines per second."""
        return self.lines / self.seconds if self.seconds > 0 else 0.0


class Store(Protocol):
    def patients(self, patient_ids: set[int]) -> Mapping[int, dt.date]:
        """The birth date of each of `patient_ids` that exists (the others are missing)."""
        ...

    def write(self, batch: Sequence[reading.Reading]) -> Sequence[reading.Reading]:
        """Commit `batch` durably; returns the readings that were new."""
        ...


def bulk(
    lines: Iterable[Parsed],
    store: Store,
    *,
    table: measures.Table,
    chunk: int = CHUNK,
    after_write: Callable[[Sequence[reading.Reading]], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Ingest `lines` chunk by chunk; `after_write` gets each chunk's new readings."""
    report = Report()
    started = time.perf_counter()
    births: dict[int, dt.date] = {}
    pending: list[Parsed] = []
    for parsed in lines:
        if parsed.rejected is not None:
            report.rejected.append(parsed.rejected)
        else:
            pending.append(parsed)
        if len(pending) >= chunk:
            _flush(pending, store, table, births, report, after_write)
            pending = []
        if progress is not None:
            progress(parsed.line)
    _flush(pending, store, table, births, report, after_write)
    report.rejected.sort(key=lambda r: r.line)
    report.seconds = time.perf_counter() - started
    return report


def refusal(
    readings: Sequence[reading.Reading], births: Mapping[int, dt.date], where: Where
) -> Rejected | None:
    """Why one input's readings cannot be written given the patients found (`births`): an
    unknown patient, or an instant before the patient's birth. `line` is 0: the caller's."""
    unknown = sorted({r.patient_id for r in readings} - births.keys())
    if unknown:
        return Rejected(
            0,
            f"unknown patient Patient/{unknown[0]}: create the Patient first",
            where.subject,
            "not-found",
        )
    for r in readings:
        why = instants.birth_refusal(r.ts, births[r.patient_id], instants.shown(r.ts))
        if why is not None:
            return Rejected(0, why, where.instant, "value")
    return None


def _out_of_order(good: list[Parsed], table: measures.Table) -> dict[int, Rejected]:
    """Lines refused because a panel's components given on several lines are out of order
    (a diastolic above the systolic of the same patient and instant): every line of the pair
    is refused, as nothing says which one is wrong."""
    ordered = {k.id for pair in table.ordered for k in pair}
    if not ordered:
        return {}
    at: dict[tuple[int, int], dict[int, tuple[float, Parsed]]] = defaultdict(dict)
    for parsed in good:
        for r in parsed.readings:
            if r.kind in ordered:
                at[(r.patient_id, r.ts)].setdefault(r.kind, (r.value, parsed))
    refused: dict[int, Rejected] = {}
    for found in at.values():
        if len(found) < 2:
            continue
        values = {kind: value for kind, (value, _p) in found.items()}
        pair = table.disorder(values)
        if pair is None:
            continue
        text = measures.disorder_text(*pair, values)
        lines = sorted({found[k.id][1].line for k in pair})
        for kind in pair:
            parsed = found[kind.id][1]
            others = [n for n in lines if n != parsed.line]
            shown = f"{text} (line {others[0]})" if others else text
            refused.setdefault(
                parsed.line, Rejected(parsed.line, shown, parsed.where.value, "value")
            )
    return refused


def _flush(
    pending: list[Parsed],
    store: Store,
    table: measures.Table,
    births: dict[int, dt.date],
    report: Report,
    after_write: Callable[[Sequence[reading.Reading]], None] | None,
) -> None:
    if not pending:
        return
    wanted = {r.patient_id for p in pending for r in p.readings} - births.keys()
    if wanted:
        births.update(store.patients(wanted))
    good: list[Parsed] = []
    for parsed in pending:
        why = refusal(parsed.readings, births, parsed.where)
        if why is not None:
            report.rejected.append(Rejected(parsed.line, why.diagnostics, why.expression, why.code))
        else:
            good.append(parsed)
    disordered = _out_of_order(good, table)
    if disordered:
        report.rejected += disordered.values()
        good = [p for p in good if p.line not in disordered]
    written = store.write([r for p in good for r in p.readings])
    new = set(written)
    report.readings += len(new)
    for parsed in good:
        if any(r in new for r in parsed.readings):
            report.accepted += 1
            new.difference_update(parsed.readings)
        else:
            report.duplicates += 1
    if after_write is not None and written:
        after_write(written)
