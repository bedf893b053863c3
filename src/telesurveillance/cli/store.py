"""CLI commands of the store: `db upgrade`, `serve`, `import`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from telesurveillance import composition
from telesurveillance.adapters.fhir import bulk
from telesurveillance.cli import cgm as cgm_import
from telesurveillance.cli import common, i18n
from telesurveillance.domain.access import matrix, roles, writes
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services import ingest
from telesurveillance.services.alerts import pending

db_app = typer.Typer(help="The database: migrations.")

#: The application factory `serve` runs (web/asgi.py).
ASGI_FACTORY = "telesurveillance.web.asgi:create"
#: Rejected lines printed after an import (the summary counts them all).
SHOWN_REJECTED = 20


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    store = common.store(upgrade=False)
    before = composition.revisions(store)
    composition.upgrade(store)
    after = composition.revisions(store)
    url = composition.location(store)
    if before == after:
        heads = ", ".join(sorted(after))
        common.out.print(i18n.t("db.already", url=url, heads=heads), highlight=False)
    else:
        heads = ", ".join(sorted(after))
        common.out.print(i18n.t("db.upgraded", url=url, heads=heads), highlight=False)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes (PostgreSQL only: SQLite serves from one process).",
        ),
    ] = 1,
) -> None:
    """Serve the API and the dashboard (migrations are applied on start).

    With --workers N (PostgreSQL), N processes share the port; what they must agree on (token
    rate limits, OpenID Connect log-ins under way, log-in lock-outs) is in the database.
    """
    import uvicorn

    if workers > 1:
        url = common.settings().database_url
        if not url.startswith("postgresql"):
            common.err.print(
                f"[red]{i18n.t('serve.workers_sqlite', n=workers)}[/]", highlight=False
            )
            raise typer.Exit(2)
        # Migrate once here, before the workers start (each then finds the schema current).
        composition.close(common.store())
    # By name: the CLI and the web edge do not import each other (import-linter).
    uvicorn.run(ASGI_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="info")


def _lines(handle: BinaryIO, progress: Progress, task: TaskID) -> Iterator[bytes]:
    for line in handle:
        progress.advance(task, len(line))
        yield line


def _decoded(lines: Iterable[bytes]) -> Iterator[str]:
    for line in lines:
        # a byte that is not UTF-8 becomes U+FFFD, which no column accepts: that line is refused
        yield line.decode("utf-8", errors="replace")


def import_(
    file: Annotated[Path, typer.Argument(help="FILE.ndjson (FHIR resources) or FILE.csv.")],
    patient: Annotated[
        int | None, typer.Option(help="Whose readings a LibreView or Clarity export holds.")
    ] = None,
    zone: Annotated[str | None, typer.Option(help="CGM export: its time zone.")] = None,
    date_order: Annotated[str | None, typer.Option(help="CGM export: DMY or MDY.")] = None,
) -> None:
    """Import readings from NDJSON (one Observation per line), CSV
    (patient,code,effective,value,unit), or a CGM export (LibreView, Dexcom Clarity) with
    --patient; a bad line never blocks the good ones.

    Exit codes: 0 every line accepted or duplicate; 1 some lines rejected; 2 unreadable file.
    """
    if patient is not None:  # issue 17: CGM platform exports (cli/cgm.py)
        cgm_import.run(file, patient, zone=zone, date_order=date_order)
        return
    cgm_import.refuse_without_patient(file)
    suffix = file.suffix.lower()
    if suffix not in (".ndjson", ".jsonl", ".csv"):
        common.err.print(f"[red]{i18n.t('import.suffix', file=file)}[/]")
        raise typer.Exit(2)
    try:
        size = file.stat().st_size
        handle = file.open("rb")
    except OSError as error:
        common.err.print(f"[red]{i18n.t('import.unreadable', file=file, error=error)}[/]")
        raise typer.Exit(2) from None
    ports = common.store()
    store = ports.readings
    table = measures.packaged()
    # The plausible instants: read the clock once, at the start of the import.
    window = instants.window(
        dt.datetime.now(dt.UTC),
        common.settings().clock_tolerance,
        regulation_store.packaged().common_law_start(),
    )
    alerts_store = ports.alerts
    rule_sets = ruleset.packaged()

    failures: list[str] = []

    def evaluate(new: Sequence[reading.Reading]) -> None:
        # The same evaluation as the server's ingest listener: imported readings raise alerts
        # (and what was already pending for the same patients and kinds is judged with them).
        # A failure loses nothing: the readings stay pending for the catch-up below.
        try:
            pending.drain_readings(alerts_store, rule_sets, new, dt.datetime.now(dt.UTC))
        except Exception as error:
            failures.append(f"{type(error).__name__}: {error}")

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with handle, Progress(*columns, console=common.err, transient=True) as progress:
        task = progress.add_task(file.name, total=size)
        lines = _lines(handle, progress, task)
        parsed = (
            bulk.csv_rows(_decoded(lines), table, window)
            if suffix == ".csv"
            else bulk.ndjson(lines, table, window)
        )
        # The command line acts as the administrateur (it holds the database credentials); its
        # lines go through the same judge as the API's, which the store requires.
        judge = writes.Judge(matrix.packaged(), roles.CONSOLE)
        report = ingest.bulk(
            parsed,
            store,
            ingest.judged_by(judge),
            table=table,
            after_write=evaluate,
            correct=store.correct,
            source=ingest.source(ingest.SourceKind.IMPORT, roles.CONSOLE, file.name),
        )
    # Whatever is still pending (an evaluation that failed, a crash of an earlier run, a server
    # stopped mid-way) is judged now too.
    try:
        caught = pending.catch_up(alerts_store, rule_sets, dt.datetime.now(dt.UTC))
    except Exception as error:
        caught = pending.Judged()
        failures.append(f"{type(error).__name__}: {error}")
    for failure in failures[:SHOWN_REJECTED]:
        common.err.print(
            f"[red]{i18n.t('import.evaluation_failed', failure=failure)}[/]", highlight=False
        )
    for rejected in report.rejected[:SHOWN_REJECTED]:
        where = f" ({rejected.expression})" if rejected.expression else ""
        line = i18n.t("import.line", line=rejected.line, diagnostics=rejected.diagnostics)
        common.out.print(f"{line}{where}", highlight=False)
    if len(report.rejected) > SHOWN_REJECTED:
        common.out.print(i18n.t("import.more", n=len(report.rejected) - SHOWN_REJECTED))
    if report.corrected:
        common.out.print(i18n.t("import.corrected", n=report.corrected))
    common.out.print(
        i18n.t(
            "import.summary",
            accepted=report.accepted,
            duplicates=report.duplicates,
            rejected=len(report.rejected),
            n=report.readings,
            seconds=f"{report.seconds:.2f}",
            rate=f"{report.rate:,.0f}",
        ),
        highlight=False,
    )
    if caught.spans:
        common.out.print(
            i18n.t("import.caught", n=caught.readings, opened=len(caught.opened)),
            highlight=False,
        )
    if report.rejected:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `telesurveillance` app."""
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
    app.command("import")(import_)
