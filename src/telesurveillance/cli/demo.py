"""CLI commands of the dashboard area: `telesurveillance demo` (registered by `register`)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import typer

from telesurveillance import composition
from telesurveillance.cli import common, i18n
from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services.demo import build


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
            common.err.print(
                f"[red]{i18n.t('cli.not_a_date', option='--today', value=repr(today))}[/]"
            )
            raise typer.Exit(2) from None
        # Readings run up to 10:00 Paris time on the chosen day.
        now = dt.datetime.combine(day, dt.time(10), tzinfo=calendar.PARIS).astimezone(dt.UTC)
    settings = common.settings()
    # Not migrated before the check: a store that is not a demo is left exactly as it was.
    store = common.store(upgrade=False)
    try:
        summary = build.build(
            build.Ports(store.demo, store.ledger, store.accounts, store.alerts),
            regulation_store.packaged(), measures.packaged(), ruleset.packaged(),
            seed=seed, patients=patients, today=day, now=now,
            tolerance=settings.clock_tolerance, force=force,
        )  # fmt: skip
    except build.NotADemo as refused:
        common.err.print(
            f"[red]{i18n.t('demo.refused', location=refused.location)}[/] "
            + i18n.t("demo.refused_hint")
        )
        raise typer.Exit(1) from None
    finally:
        composition.close(store)
    _report(summary, time.monotonic() - started)
    if not no_serve:
        _serve(host, port)


def _report(summary: build.Summary, seconds: float) -> None:
    built, outcome = summary.built, summary.billing
    count = i18n.number(built.readings)
    t = i18n.t
    common.out.print(
        t("demo.built", location=summary.location, n=len(built.patient_ids), readings=count),
        highlight=False,
    )
    common.out.print(
        t(
            "demo.billing",
            n=outcome.judged_periods,
            billable=outcome.billable_periods,
            lines=len(outcome.written),
        ),
        highlight=False,
    )
    common.out.print(
        t(
            "demo.alerts",
            n=summary.queue,
            opened=len(summary.judged.opened),
            missing=len(summary.swept.opened),
        ),
        highlight=False,
    )
    common.out.print(t("demo.seconds", seconds=i18n.number(seconds, "0.0")), highlight=False)
    common.out.print(t("demo.logins", password=build.PASSWORD), highlight=False)
    for username, role, _name in build.ACCOUNTS:
        common.out.print(f"  {username:<12} {role.value}", highlight=False)


def _serve(host: str, port: int) -> None:
    # By import path: the CLI and the web edge do not import each other (import-linter).
    import uvicorn

    common.out.print(i18n.t("cli.serving", url=f"http://{host}:{port}/"), highlight=False)
    uvicorn.run("telesurveillance.web.dashboard.asgi:app", factory=True, host=host, port=port)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `telesurveillance` app."""
    app.command("demo")(demo)
