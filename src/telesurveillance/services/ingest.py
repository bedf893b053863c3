"""Bulk ingestion: parsed lines in, chunks committed, a report of what was accepted or refused.

A refused line never blocks the good ones: each line is parsed and checked on its own, lines
whose patient does not exist are refused with their number, and the good readings are committed
in chunks (one durable transaction each) through the `Store` port. A line is a duplicate when
every reading it carries was already stored (same patient, kind and instant).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from telesurveillance.domain.measures import reading

#: Lines per committed chunk.
CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    diagnostics: str
    expression: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """One input line: its readings, or why it is refused."""

    line: int
    readings: Sequence[reading.Reading] = ()
    rejected: Rejected | None = None


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
    def known_patients(self, patient_ids: set[int]) -> set[int]: ...

    def write(self, batch: Sequence[reading.Reading]) -> Sequence[reading.Reading]:
        """Commit `batch` durably; returns the readings that were new."""
        ...


def bulk(
    lines: Iterable[Parsed],
    store: Store,
    *,
    chunk: int = CHUNK,
    after_write: Callable[[Sequence[reading.Reading]], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Ingest `lines` chunk by chunk; `after_write` gets each chunk's new readings."""
    report = Report()
    started = time.perf_counter()
    known: set[int] = set()
    pending: list[Parsed] = []
    for parsed in lines:
        if parsed.rejected is not None:
            report.rejected.append(parsed.rejected)
        else:
            pending.append(parsed)
        if len(pending) >= chunk:
            _flush(pending, store, known, report, after_write)
            pending = []
        if progress is not None:
            progress(parsed.line)
    _flush(pending, store, known, report, after_write)
    report.rejected.sort(key=lambda r: r.line)
    report.seconds = time.perf_counter() - started
    return report


def _flush(
    pending: list[Parsed],
    store: Store,
    known: set[int],
    report: Report,
    after_write: Callable[[Sequence[reading.Reading]], None] | None,
) -> None:
    if not pending:
        return
    wanted = {r.patient_id for p in pending for r in p.readings} - known
    if wanted:
        known |= store.known_patients(wanted)
    good: list[Parsed] = []
    for parsed in pending:
        unknown = sorted({r.patient_id for r in parsed.readings} - known)
        if unknown:
            report.rejected.append(
                Rejected(
                    parsed.line, f"unknown patient Patient/{unknown[0]}", "Observation.subject"
                )
            )
        else:
            good.append(parsed)
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
