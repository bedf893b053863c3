"""Bulk ingestion: parsed lines in, chunks committed, a report of what was accepted or refused.

A refused line never blocks the good ones: each line is parsed and checked on its own, lines
whose patient does not exist are refused with their number, and the good readings are committed
in chunks (one durable transaction each) through the `Store` port. A line is a duplicate when
every reading it carries was already stored (same patient, kind and instant).

Each line is judged before anything else is looked up (`authorise`: the role × route table and
the patient scope, `domain/access/writes.py`), on the readings parsed from that line, which are
the readings written: a line refused there is reported as `forbidden` with its number, and the
store only takes authorised readings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import reading

#: Lines per committed chunk.
CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    diagnostics: str
    expression: str | None = None
    forbidden: bool = False
    """Refused by the authorisation (role or patient scope), not for its content."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """One input line: its readings, or why it is refused."""

    line: int
    readings: Sequence[reading.Reading] = ()
    rejected: Rejected | None = None
    resource_type: str = "Observation"
    """The type of the resource the line carried (the route it stands for)."""


Grant = writes.Authorised[Sequence[reading.Reading]]
#: Judges one parsed line: its readings authorised, or why they are refused.
Authorise = Callable[[Parsed], Grant | writes.Refusal]


@dataclass(slots=True)
class Report:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    readings: int = 0
    seconds: float = 0.0
    patients: set[int] = field(default_factory=set)
    """The patients of the lines stored (new or already there)."""

    @property
    def lines(self) -> int:
        return self.accepted + self.duplicates + len(self.rejected)

    @property
    def forbidden(self) -> int:
        """Lines refused by the authorisation."""
        return sum(1 for r in self.rejected if r.forbidden)

    @property
    def rate(self) -> float:
        """Lines per second."""
        return self.lines / self.seconds if self.seconds > 0 else 0.0


class Store(Protocol):
    def known_patients(self, patient_ids: set[int]) -> set[int]: ...

    def write(self, batch: Sequence[Grant]) -> Sequence[reading.Reading]:
        """Commit the readings of `batch` durably; returns the readings that were new."""
        ...


def judged_by(judge: writes.Judge) -> Authorise:
    """Each line judged as the create route of its resource type (an Observation line as
    `fhir.observation.create`), on the patients of the readings parsed from it."""

    routes: dict[str, str] = {}

    def authorise(parsed: Parsed) -> Grant | writes.Refusal:
        kind = parsed.resource_type
        route = routes.get(kind) or routes.setdefault(kind, writes.create_route(kind))
        found = parsed.readings
        # one reading per line is the common case: no generator on the bulk path
        if len(found) == 1:
            patients = frozenset((found[0].patient_id,))
        else:
            patients = frozenset([r.patient_id for r in found])
        return judge.grant(route, patients, found)

    return authorise


def bulk(
    lines: Iterable[Parsed],
    store: Store,
    authorise: Authorise,
    *,
    chunk: int = CHUNK,
    after_write: Callable[[Sequence[reading.Reading]], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Ingest `lines` chunk by chunk, each line judged by `authorise`; `after_write` gets each
    chunk's new readings."""
    report = Report()
    started = time.perf_counter()
    known: set[int] = set()
    pending: list[tuple[int, Grant]] = []
    for parsed in lines:
        if parsed.rejected is not None:
            report.rejected.append(parsed.rejected)
        else:
            granted = authorise(parsed)
            if isinstance(granted, writes.Refusal):
                report.rejected.append(_forbidden(parsed, granted))
            else:
                pending.append((parsed.line, granted))
        if len(pending) >= chunk:
            _flush(pending, store, known, report, after_write)
            pending = []
        if progress is not None:
            progress(parsed.line)
    _flush(pending, store, known, report, after_write)
    report.rejected.sort(key=lambda r: r.line)
    report.seconds = time.perf_counter() - started
    return report


def _forbidden(parsed: Parsed, refusal: writes.Refusal) -> Rejected:
    where = f"{parsed.resource_type}.subject" if refusal.why is writes.Why.SCOPE else None
    return Rejected(parsed.line, refusal.message, where, forbidden=True)


def _flush(
    pending: list[tuple[int, Grant]],
    store: Store,
    known: set[int],
    report: Report,
    after_write: Callable[[Sequence[reading.Reading]], None] | None,
) -> None:
    if not pending:
        return
    wanted = {p for _line, grant in pending for p in grant.patients} - known
    if wanted:
        known |= store.known_patients(wanted)
    good: list[Grant] = []
    for line, grant in pending:
        unknown = sorted(grant.patients - known)
        if unknown:
            report.rejected.append(
                Rejected(line, f"unknown patient Patient/{unknown[0]}", "Observation.subject")
            )
        else:
            good.append(grant)
    written = store.write(good)
    new = set(written)
    report.readings += len(new)
    for grant in good:
        report.patients |= grant.patients
        if any(r in new for r in grant.value):
            report.accepted += 1
            new.difference_update(grant.value)
        else:
            report.duplicates += 1
    if after_write is not None and written:
        after_write(written)
