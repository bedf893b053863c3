"""Importing a CGM platform export (LibreView, Dexcom Clarity) for one patient: one call.

The patient is the caller's choice (the care team picks the patient; a name in the file is
shown for checking, never used as identity). The file is parsed by the parser handed in (the
edges pass `adapters.cgm.formats.parse`, which recognises the format by its header), then every
line goes through the ingestion service (`imports.glucose`): plausible instants, the judge,
the patient's birth, idempotent writes, the alert hand-off. A file that is not an export we
know, or whose dates read two ways, is refused whole (`Unreadable`); otherwise a bad line never
stops the good ones and the report says what became of each line.

    report = cgm.import_file(data, patient_id=12, parse=formats.parse,
                             store=store.readings, authorise=glucose.judged_as(judge, route),
                             table=..., window=..., after_write=...)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from telesurveillance.domain import calendar
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest
from telesurveillance.services.imports import glucose

#: How a refusal names the fields of an export line (the column, whatever the header language).
WHERE = ingest.Where(subject="patient", instant="timestamp", value="glucose")


class Export(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def lines(self) -> Sequence[glucose.Line]: ...
    @property
    def metadata(self) -> Any: ...


class Parse(Protocol):
    def __call__(
        self,
        data: bytes,
        *,
        patient_id: int,
        zone: ZoneInfo,
        date_order: Any,
        table: measures.Table | None,
    ) -> Export: ...


class Unreadable(ValueError):
    """The file is refused whole: not an export we know, dates that read two ways."""


@dataclass(frozen=True, slots=True)
class FileReport:
    source: str
    """`libreview` or `clarity`."""
    metadata: Any
    """What the file says of itself (language, units, date order, exported on/by, patient
    name, devices): for display."""
    report: glucose.Report
    bounds: int
    """Readings stored at a sensor-range bound (Low/High, LO/HI) among the lines parsed."""


def import_file(
    data: bytes,
    *,
    patient_id: int,
    parse: Parse,
    store: ingest.Store,
    authorise: ingest.Authorise,
    table: measures.Table,
    window: instants.Window,
    zone: ZoneInfo = calendar.PARIS,
    date_order: Any = None,
    after_write: Callable[[Sequence[reading.Reading]], None] | None = None,
    source: ingest.Source | None = None,
) -> FileReport:
    """Parse `data` as a CGM export of `patient_id` and ingest every line; the readings record
    `source` (the file's name and who imported it) and each their line number."""
    try:
        export = parse(data, patient_id=patient_id, zone=zone, date_order=date_order, table=table)
    except ValueError as error:  # the parsers' whole-file refusal (cgm.lines.ExportError)
        raise Unreadable(str(error)) from None
    report = glucose.ingest_lines(
        export.lines,
        store,
        authorise,
        table=table,
        window=window,
        where=WHERE,
        after_write=after_write,
        source=source,
    )
    bounds = sum(
        1 for line in export.lines for item in line.readings if getattr(item, "bound", None)
    )
    return FileReport(str(export.source), export.metadata, report, bounds)


def summary(found: FileReport) -> str:
    """One line: the counts of the import."""
    report = found.report
    return (
        f"{found.source}: {report.lines} lines — accepted {report.accepted}, duplicates "
        f"{report.duplicates}, skipped {len(report.skipped)}, refused {len(report.refused)} "
        f"({report.readings} new readings, {found.bounds} at a sensor bound) in "
        f"{report.seconds:.2f} s"
    )
