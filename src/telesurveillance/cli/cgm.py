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
from telesurveillance.cli import common
from telesurveillance.domain import calendar
from telesurveillance.domain.access import matrix, roles, writes
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
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
            f"[red]{file}: a {found.value} export — say whose readings they are: --patient ID[/]",
            highlight=False,
        )
        raise typer.Exit(2)


def _zone(name: str | None) -> ZoneInfo:
    if not name:
        return calendar.PARIS
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        common.err.print(f"[red]unknown time zone {name!r} (e.g. Europe/Paris)[/]")
        raise typer.Exit(2) from None


def _order(name: str | None) -> localtime.DateOrder | None:
    if not name:
        return None
    try:
        return localtime.DateOrder(name.upper())
    except ValueError:
        names = ", ".join(o.value for o in localtime.DateOrder)
        common.err.print(f"[red]--date-order {name!r}: one of {names}[/]")
        raise typer.Exit(2) from None


def run(file: Path, patient: int, *, zone: str | None, date_order: str | None) -> None:
    """Import `file`, a LibreView or Clarity export, as readings of `patient`."""
    chosen_zone, chosen_order = _zone(zone), _order(date_order)
    try:
        data = file.read_bytes()
    except OSError as error:
        common.err.print(f"[red]{file}: cannot read: {error}[/]")
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
            f"[red]alert evaluation failed: {failure} — the readings are stored and stay "
            "pending: `telesurveillance alerts run --once` judges them[/]",
            highlight=False,
        )
    meta = found.metadata
    said = [
        f"{file.name}: {found.source} export",
        f"units {meta.unit}" if meta.unit else "",
        f"dates {meta.date_order}" if meta.date_order else "",
        f"exported {meta.exported_on}" if meta.exported_on else "",
        f"name in the file: {meta.patient_name}" if meta.patient_name else "",
    ]
    common.out.print(", ".join(s for s in said if s), highlight=False)
    for rejected in report.refused[:SHOWN]:
        where = f" ({rejected.expression})" if rejected.expression else ""
        common.out.print(f"line {rejected.line}: {rejected.diagnostics}{where}", highlight=False)
    if len(report.refused) > SHOWN:
        common.out.print(f"… and {len(report.refused) - SHOWN} more refused lines")
    reasons: dict[str, int] = {}
    for skipped in report.skipped:
        reasons[skipped.reason] = reasons.get(skipped.reason, 0) + 1
    if reasons:
        listed = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
        common.out.print(f"skipped: {listed}", highlight=False)
    common.out.print(cgm.summary(found), highlight=False)
