"""Glucose lines (a CGM export's rows, a Nightscout upload's documents) through the ingestion
service that FHIR uses: the same checks, the same write, the same alert hand-off.

A source yields, per input line, readings, a skip with its reason, or a refusal naming the line
and the field (`adapters/cgm/lines.py`; this module only relies on the shape below). Here each
line with readings is checked against the plausible instants (`domain.measures.instants`: not
in the future beyond the clock tolerance, not before the LATM common law), then handed to
`ingest.bulk`, which judges it (`authorise`), refuses an unknown patient or an instant before
the birth, writes the rest idempotently (a reading already stored makes the line a
duplicate) and gives each chunk's new readings to `after_write` (the alert evaluation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest

#: The skip reason a source gives a line repeating an earlier line of the same input
#: (`adapters.cgm.lines.Skip.DUPLICATE`): reported with the duplicates, not the skips.
DUPLICATE = "duplicate"


class Origin(Protocol):
    """Who sent a reading (`adapters.cgm.lines.Origin`)."""

    @property
    def source(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def record(self) -> str | None: ...


class Item(Protocol):
    @property
    def reading(self) -> reading.Reading: ...
    @property
    def origin(self) -> Origin: ...


class Refused(Protocol):
    @property
    def line(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def field(self) -> str | None: ...


class Line(Protocol):
    """One input line as a source yields it."""

    @property
    def number(self) -> int: ...
    @property
    def readings(self) -> Sequence[Item]: ...
    @property
    def skipped(self) -> str | None: ...
    @property
    def note(self) -> str: ...
    @property
    def refusal(self) -> Refused | None: ...


@dataclass(frozen=True, slots=True)
class Skipped:
    """A well-formed line that carries no reading (insulin, a setting row, a calibration…)."""

    line: int
    reason: str
    note: str = ""


@dataclass(slots=True)
class Report:
    """What became of every line: accepted (new readings), duplicates (already stored, or
    repeating an earlier line of the input), skipped with their reason, refused with theirs."""

    ingested: ingest.Report = field(default_factory=ingest.Report)
    skipped: list[Skipped] = field(default_factory=list)
    repeated: int = 0
    """Lines repeating an earlier line of the same input."""

    @property
    def accepted(self) -> int:
        return self.ingested.accepted

    @property
    def duplicates(self) -> int:
        return self.ingested.duplicates + self.repeated

    @property
    def refused(self) -> list[ingest.Rejected]:
        return self.ingested.rejected

    @property
    def readings(self) -> int:
        """New readings stored."""
        return self.ingested.readings

    @property
    def lines(self) -> int:
        return self.ingested.lines + len(self.skipped) + self.repeated

    @property
    def seconds(self) -> float:
        return self.ingested.seconds


#: Where the identifiers a glucose source gives are from (issue 17): our own URN namespace,
#: then the source (`libreview`, `clarity`, `nightscout`) and what the value is.
SYSTEM = "urn:telesurveillance:{source}:{what}"


def identifiers(line: Line, numbered: bool) -> tuple[ingest.Identifier, ...]:
    """The sender's identifiers of a line: its number in the file (`numbered`), the sender's
    device (serial number, transmitter, uploader) and its own record id when it has one."""
    if not line.readings:
        return ()
    origin = line.readings[0].origin
    source = str(origin.source)
    found: list[ingest.Identifier] = []
    if numbered:
        found.append((SYSTEM.format(source=source, what="line"), str(line.number)))
    if origin.device:
        found.append((SYSTEM.format(source=source, what="device"), origin.device))
    if origin.record:
        found.append((SYSTEM.format(source=source, what="record"), origin.record))
    return tuple(found)


def parsed(
    lines: Iterable[Line],
    window: instants.Window,
    where: ingest.Where,
    report: Report,
    numbered: bool = False,
) -> Iterator[ingest.Parsed]:
    """The lines with readings or a refusal, as `ingest.bulk` takes them; the skipped ones are
    counted in `report`. A reading outside the plausible instants refuses its line. Each keeps
    the sender's identifiers (`identifiers`; with `numbered`, its line number in the file)."""
    for line in lines:
        if line.refusal is not None:
            refusal = line.refusal
            rejected = ingest.Rejected(refusal.line, refusal.reason, refusal.field)
            yield ingest.Parsed(line.number, rejected=rejected, where=where)
        elif line.readings:
            found = tuple(item.reading for item in line.readings)
            yield _in_window(line.number, found, window, where, identifiers(line, numbered))
        elif line.skipped == DUPLICATE:
            report.repeated += 1
        else:
            report.skipped.append(Skipped(line.number, str(line.skipped or ""), line.note))


def _in_window(
    number: int,
    found: tuple[reading.Reading, ...],
    window: instants.Window,
    where: ingest.Where,
    named: tuple[ingest.Identifier, ...] = (),
) -> ingest.Parsed:
    for r in found:
        if r.ts in window:  # the common case: no text made for it
            continue
        why = window.refusal(r.ts, instants.shown(r.ts))
        if why is not None:
            rejected = ingest.Rejected(number, why, where.instant, "value")
            return ingest.Parsed(number, rejected=rejected, where=where)
    return ingest.Parsed(number, found, where=where, identifiers=named)


def judged_as(judge: writes.Judge, route: str) -> ingest.Authorise:
    """Each line judged as `route` (the route it came by, or the FHIR create route the import
    stands for) on the patients of its readings."""

    def authorise(line: ingest.Parsed) -> ingest.Grant | writes.Refusal:
        return judge.grant(route, frozenset(r.patient_id for r in line.readings), line.readings)

    return authorise


def ingest_lines(
    lines: Iterable[Line],
    store: ingest.Store,
    authorise: ingest.Authorise,
    *,
    table: measures.Table,
    window: instants.Window,
    where: ingest.Where,
    after_write: Callable[[Sequence[reading.Reading]], None] | None = None,
    source: ingest.Source | None = None,
) -> Report:
    """Every line through the ingestion service; the report of what became of each. The
    readings record `source`; a file's lines (`SourceKind.CGM_FILE`) their line numbers."""
    report = Report()
    numbered = source is not None and source.kind is ingest.SourceKind.CGM_FILE
    report.ingested = ingest.bulk(
        parsed(lines, window, where, report, numbered),
        store,
        authorise,
        table=table,
        after_write=after_write,
        source=source,
    )
    report.skipped.sort(key=lambda s: s.line)
    return report
