"""`telesurveillance import FILE --patient ID` for CGM platform exports (LibreView, Dexcom
Clarity): the file's format is recognised by its header, every line goes through the same
ingestion service as FHIR (`services.imports.cgm`), and the report lists the refused and
skipped lines by number with their reason.

Exit codes: 0 every line accepted, duplicate or skipped; 1 some lines refused; 2 the file is
refused whole (unreadable, not an export we know, dates that read two ways) or the patient is
unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from telesurveillance.adapters.cgm import formats, localtime
from telesurveillance.cli import common, i18n
from telesurveillance.domain import calendar
from telesurveillance.domain.access import matrix, roles, writes
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services import ingest
from telesurveillance.services.alerts import pending
from telesurveillance.services.imports import cgm, glucose

#: Refused and skipped lines printed (the summary counts them all).
SHOWN = 20
#: What a line of an export stands for in the role × route table (the command line acts as
#: the administrateur, which holds the database credentials already).
ROUTE = writes.create_route("Observation")
#: How many bytes of a file are read to recognise an export (its header is near the top).
SNIFF = 64 * 1024


def is_export(file: Path) -> formats.Format | None:
    """The CGM export format of `file` (read from its first bytes), or None."""
    try:
        with file.open("rb") as handle:
            head = handle.read(SNIFF)
    except OSError:
        return None
    return formats.detect(head)


def refuse_without_patient(file: Path) -> None:
    """A CGM export names no patient we can trust: the caller must choose one."""
    found = is_export(file)
    if found is not None:
        common.err.print(
            f"[red]{i18n.t('cgm.whose', file=file, source=found.value)}[/]",
            highlight=False,
        )
        raise typer.Exit(2)


def _zone(name: str | None) -> ZoneInfo:
    if not name:
        return calendar.PARIS
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        common.err.print(f"[red]{i18n.t('cgm.zone', name=repr(name))}[/]")
        raise typer.Exit(2) from None


def _order(name: str | None) -> localtime.DateOrder | None:
    if not name:
        return None
    try:
        return localtime.DateOrder(name.upper())
    except ValueError:
        names = ", ".join(o.value for o in localtime.DateOrder)
        common.err.print(f"[red]{i18n.t('cgm.date_order', name=repr(name), names=names)}[/]")
        raise typer.Exit(2) from None


def run(file: Path, patient: int, *, zone: str | None, date_order: str | None) -> None:
    """Import `file`, a LibreView or Clarity export, as readings of `patient`."""
    chosen_zone, chosen_order = _zone(zone), _order(date_order)
    try:
        data = file.read_bytes()
    except OSError as error:
        common.err.print(f"[red]{i18n.t('import.unreadable', file=file, error=error)}[/]")
        raise typer.Exit(2) from None
    store = common.store()
    table = measures.packaged()
    now = dt.datetime.now(dt.UTC)
    window = instants.window(
        now, common.settings().clock_tolerance, regulation_store.packaged().common_law_start()
    )
    # The composition types the port as the evaluation store; the SQL adapter behind it is the
    # outbox too (what `import` of FHIR files drains the same way).
    alerts = cast(pending.Store, store.alerts)
    rule_sets = ruleset.packaged()
    failures: list[str] = []

    def evaluate(new: Sequence[reading.Reading]) -> None:
        # As the server's ingest listener; a failure loses nothing (the catch-up below).
        try:
            pending.drain_readings(alerts, rule_sets, new, dt.datetime.now(dt.UTC))
        except Exception as error:
            failures.append(f"{type(error).__name__}: {error}")

    judge = writes.Judge(matrix.packaged(), roles.CONSOLE)
    try:
        found = cgm.import_file(
            data,
            patient_id=patient,
            parse=formats.parse,
            store=store.readings,
            authorise=glucose.judged_as(judge, ROUTE),
            table=table,
            window=window,
            zone=chosen_zone,
            date_order=chosen_order,
            after_write=evaluate,
            source=ingest.source(ingest.SourceKind.CGM_FILE, roles.CONSOLE, file.name),
        )
    except cgm.Unreadable as error:
        common.err.print(f"[red]{file}: {error}[/]", highlight=False)
        raise typer.Exit(2) from None
    try:
        pending.catch_up(alerts, rule_sets, dt.datetime.now(dt.UTC))
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")
    _print(file, found, failures)
    if found.report.refused:
        raise typer.Exit(1)


def _print(file: Path, found: cgm.FileReport, failures: list[str]) -> None:
    report = found.report
    for failure in failures[:SHOWN]:
        common.err.print(
            f"[red]{i18n.t('import.evaluation_failed', failure=failure)}[/]", highlight=False
        )
    meta = found.metadata
    t = i18n.t
    said = [
        t("cgm.export", file=file.name, source=found.source),
        t("cgm.units", unit=meta.unit) if meta.unit else "",
        t("cgm.dates", order=meta.date_order) if meta.date_order else "",
        t("cgm.exported", on=meta.exported_on) if meta.exported_on else "",
        t("cgm.name", name=meta.patient_name) if meta.patient_name else "",
    ]
    common.out.print(", ".join(s for s in said if s), highlight=False)
    for rejected in report.refused[:SHOWN]:
        where = f" ({rejected.expression})" if rejected.expression else ""
        line = t("import.line", line=rejected.line, diagnostics=rejected.diagnostics)
        common.out.print(f"{line}{where}", highlight=False)
    if len(report.refused) > SHOWN:
        common.out.print(t("cgm.more", n=len(report.refused) - SHOWN))
    reasons: dict[str, int] = {}
    for skipped in report.skipped:
        reasons[skipped.reason] = reasons.get(skipped.reason, 0) + 1
    if reasons:
        listed = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
        common.out.print(t("cgm.skipped", listed=listed), highlight=False)
    summary = t(
        "cgm.summary", source=found.source, lines=report.lines, accepted=report.accepted,
        duplicates=report.duplicates, skipped=len(report.skipped), refused=len(report.refused),
        n=report.readings, bounds=found.bounds, seconds=f"{report.seconds:.2f}",
    )  # fmt: skip
    common.out.print(summary, highlight=False)
