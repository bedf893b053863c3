"""CLI commands of the dashboard area: `telesurveillance demo` (registered by `register`)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import typer

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql import demo as demo_store
from telesurveillance.adapters.sql.alerts import evaluation
from telesurveillance.adapters.sql.billing import ledger
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.cli import common
from telesurveillance.domain import calendar
from telesurveillance.domain.access import roles
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services.alerts import evaluation as alerts
from telesurveillance.services.alerts import pending
from telesurveillance.services.billing import run
from telesurveillance.services.demo import series
from telesurveillance.services.security import accounts

#: The demo log-ins (printed by the command): one account per role of the care team.
PASSWORD = "Demo-Synthetique-2026!"
ACCOUNTS = (
    ("medecin", roles.Role.MEDECIN, "Dr Claire Démo (médecin)"),
    ("soignant", roles.Role.SOIGNANT, "Inès Test (infirmière)"),
    ("facturation", roles.Role.FACTURATION, "Secrétariat de facturation"),
    ("exploitant", roles.Role.EXPLOITANT, "Télémédecine Exemple SAS"),
    ("admin", roles.Role.ADMINISTRATEUR, "Administrateur"),
)


def _accounts(store: security_accounts.SqlAccounts, exploitant_id: int, now: dt.datetime) -> None:
    for username, role, name in ACCOUNTS:
        accounts.create_account(
            store,
            username,
            PASSWORD,
            role,
            now,
            display_name=name,
            exploitant_id=exploitant_id if role is roles.Role.EXPLOITANT else None,
        )


def demo(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population.")] = 1,
    patients: Annotated[int, typer.Option(min=1, help="Number of synthetic patients.")] = 200,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Build the database and exit.")
    ] = False,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    force: Annotated[
        bool, typer.Option("--force", help="Wipe the database even if it is not a demo one.")
    ] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="Day the demo is built for (default: today).")
    ] = None,
) -> None:
    """Build a FRESH demo database of SYNTHETIC patients (six months of data), then serve it.

    The database is TELESURVEILLANCE_DATABASE_URL (default: the embedded SQLite file). It is
    wiped: refused unless it is empty or already a demo (only synthetic patients and the demo
    opérateur), or `--force` is given.
    """
    started = time.monotonic()
    now = dt.datetime.now(dt.UTC)
    day = calendar.paris_day(now)
    if today is not None:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            common.err.print(f"[red]--today: {today!r} is not a date YYYY-MM-DD[/]")
            raise typer.Exit(2) from None
        # Readings run up to 10:00 Paris time on the chosen day.
        now = dt.datetime.combine(day, dt.time(10), tzinfo=calendar.PARIS).astimezone(dt.UTC)
    settings = common.settings()
    engine = database.create(settings.database_url)
    url = engine.url.render_as_string(hide_password=True)
    if not force and not demo_store.is_demo(engine):
        common.err.print(
            f"[red]{url} holds non-synthetic data or no demo marker: refusing to wipe it.[/] "
            "Point TELESURVEILLANCE_DATABASE_URL elsewhere, or pass --force."
        )
        raise typer.Exit(1)
    series.check_kinds(measures.packaged())
    demo_store.wipe(engine)
    built, _people = demo_store.build(engine, seed, patients, day, now)
    count = f"{built.readings:,}".replace(",", " ")
    common.out.print(
        f"SYNTHETIC demo in {url}: {len(built.patient_ids)} patients, {count} readings",
        highlight=False,
    )
    _accounts(security_accounts.SqlAccounts(engine), built.exploitant_ids[0], now)
    demo_store.link_accounts(engine)  # issue 15: the medecin and soignant log-ins are members
    outcome = run.run(
        ledger.SqlLedger(engine),
        regulation_store.packaged(),
        day,
        actor="demo",
        now=now,
    )
    common.out.print(
        f"billing: {outcome.judged_periods} periods judged, "
        f"{outcome.billable_periods} billable, {len(outcome.written)} ledger lines",
        highlight=False,
    )
    sets = ruleset.packaged()
    store = evaluation.SqlAlerts(engine)
    # Every demo reading was marked pending when written; the six months of history are the
    # patients' background, so only the last days are judged (the rest is settled unjudged).
    opened = pending.catch_up(store, sets, now, floor=now - demo_store.RECENT)
    swept = alerts.sweep(store, sets, now, common.settings().clock_tolerance)
    common.out.print(
        f"alerts: {len(opened.opened)} opened on the last eight days of readings, "
        f"{len(swept.opened)} for missing data",
        highlight=False,
    )
    common.out.print(f"built in {time.monotonic() - started:.1f} s", highlight=False)
    common.out.print(f"log-ins (password {PASSWORD}):", highlight=False)
    for username, role, _name in ACCOUNTS:
        common.out.print(f"  {username:<12} {role.value}", highlight=False)
    if no_serve:
        return
    engine.dispose()
    _serve(host, port)


def _serve(host: str, port: int) -> None:
    # By import path: the CLI and the web edge do not import each other (import-linter).
    import uvicorn

    common.out.print(f"serving on http://{host}:{port}/ (Ctrl+C to stop)", highlight=False)
    uvicorn.run("telesurveillance.web.dashboard.asgi:app", factory=True, host=host, port=port)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `telesurveillance` app."""
    app.command("demo")(demo)
