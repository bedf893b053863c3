"""CLI commands of the alerts area: `alerts run` (loop: catch-up of the evaluation outbox, no-data
sweep, notification worker), `alerts stats` (alert burden), `alerts rules` (the rule sets and
their sources).

Notification channels are configured by environment variables (read here, at the edge):
`TELESURVEILLANCE_ALERTS_SMTP_HOST`, `…_SMTP_PORT` (25), `…_SMTP_FROM`, `…_SMTP_TO` (comma-
separated), `…_SMTP_STARTTLS` (1/0), `…_SMTP_USER`, `…_SMTP_PASSWORD`, `…_DASHBOARD_URL`;
`TELESURVEILLANCE_ALERTS_WEBHOOK_URL` and `…_WEBHOOK_SECRET`. A channel without its variables is
simply not used.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Annotated

import typer
from rich.table import Table

from telesurveillance import composition
from telesurveillance.adapters.notify import smtp, webhook
from telesurveillance.cli import common, i18n
from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import ruleset
from telesurveillance.services.alerts import outbox, rounds, stats

alerts_app = typer.Typer(
    help="Alerts: catch-up of unjudged readings, no-data sweep, notifications, statistics."
)
_ENV = "TELESURVEILLANCE_ALERTS_"


def channels(env: dict[str, str] | None = None) -> dict[str, outbox.Channel]:
    """The channels configured in the environment."""
    env = dict(os.environ) if env is None else env
    found: dict[str, outbox.Channel] = {}
    host = env.get(_ENV + "SMTP_HOST")
    if host and env.get(_ENV + "SMTP_FROM") and env.get(_ENV + "SMTP_TO"):
        found["smtp"] = smtp.SmtpChannel(
            host=host,
            port=int(env.get(_ENV + "SMTP_PORT", "25")),
            sender=env[_ENV + "SMTP_FROM"],
            recipients=[a.strip() for a in env[_ENV + "SMTP_TO"].split(",") if a.strip()],
            dashboard_url=env.get(_ENV + "DASHBOARD_URL", ""),
            starttls=env.get(_ENV + "SMTP_STARTTLS", "0") == "1",
            username=env.get(_ENV + "SMTP_USER"),
            password=env.get(_ENV + "SMTP_PASSWORD"),
        )
    url = env.get(_ENV + "WEBHOOK_URL")
    secret = env.get(_ENV + "WEBHOOK_SECRET")
    if url and secret:
        found["webhook"] = webhook.WebhookChannel(url, secret.encode("utf-8"))
    return found


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@alerts_app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="One sweep and one send, then exit.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=1.0, help="Seconds between passes.")
    ] = 60.0,
    passes: Annotated[
        int | None, typer.Option("--passes", min=1, help="Stop after this many passes.")
    ] = None,
) -> None:
    """Loop: the catch-up of readings stored but not yet judged, the no-data sweep over every
    active patient, then the notification worker."""
    store = common.store()
    try:
        _loop(store, once=once, interval=interval, passes=passes)
    finally:
        composition.close(store)


def _loop(store: composition.Store, *, once: bool, interval: float, passes: int | None) -> None:
    sets = ruleset.packaged()
    tolerance = common.settings().clock_tolerance
    configured = channels()
    names = ", ".join(sorted(configured)) or i18n.t("alerts.no_channel")
    common.out.print(i18n.t("alerts.channels", names=names))
    done = 0
    while True:
        started = time.perf_counter()
        did = rounds.run_once(store.alerts, store.alert_outbox, sets, configured, _now, tolerance)
        caught, swept, sent = did.caught, did.swept, did.sent
        seconds = time.perf_counter() - started
        common.out.print(
            i18n.t(
                "alerts.pass",
                at=_now().isoformat(timespec="seconds"),
                n=caught.readings,
                caught=len(caught.opened),
                opened=len(swept.opened),
                updated=len(swept.updated),
                sent=sent.sent,
                retried=sent.retried,
                failed=sent.failed,
                seconds=f"{seconds:.2f}",
            ),
            highlight=False,
        )
        done += 1
        if once or (passes is not None and done >= passes):
            return
        try:
            time.sleep(max(0.0, interval - seconds))
        except KeyboardInterrupt:  # Ctrl-C between passes: a clean stop
            common.out.print(i18n.t("alerts.stopped"))
            return


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        common.err.print(f"[red]{i18n.t('cli.not_a_date', option=option, value=repr(value))}[/]")
        raise typer.Exit(2) from None


@alerts_app.command("stats")
def statistics(
    start: Annotated[str, typer.Option("--start", help="First Paris day YYYY-MM-DD.")],
    end: Annotated[
        str | None, typer.Option("--end", help="Day after the last (default: today).")
    ] = None,
    operateur: Annotated[int | None, typer.Option("--operateur")] = None,
) -> None:
    """Alert burden per opérateur, indication and rule over [start, end)."""
    first = _day(start, "--start")
    last = _day(end, "--end") if end else calendar.paris_day(_now())
    store = common.store()
    try:
        lines = stats.statistics(store.alert_stats, first, last, operateur)
    except ValueError as error:
        common.err.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    finally:
        composition.close(store)
    headers = ("operateur", "indication", "rule", "alerts", "patient_months", "per_month",
               "closed", "no_action", "artefact", "median")  # fmt: skip
    table = Table(
        *(i18n.t(f"alerts.col.{h}") for h in headers),
        title=i18n.t("alerts.burden", start=first.isoformat(), end=last.isoformat()),
    )

    def cell(value: object) -> str:
        return "—" if value is None else str(value)

    for line in lines:
        table.add_row(
            cell(line.operateur_id), line.indication, line.rule_id, str(line.alerts),
            cell(line.patient_months), cell(line.per_patient_month), str(line.closed),
            cell(line.share_no_action), cell(line.share_artefact),
            cell(line.median_minutes_to_acknowledge),
        )  # fmt: skip
    common.out.print(table)


@alerts_app.command("rules")
def show_rules(
    indication: Annotated[str | None, typer.Argument(help="One indication (default: all).")] = None,
) -> None:
    """The default rules of each indication, with their source or review mark."""
    sets = ruleset.packaged()
    headers = ("indication", "rule", "kind", "label", "severity", "source")
    table = Table(*(i18n.t(f"alerts.col.{h}") for h in headers))
    for name, rules in sorted(sets.by_indication.items()):
        if indication and name != indication:
            continue
        for rule in rules:
            source = rule.source.url or i18n.t(
                "alerts.clinical_default", mark=rule.source.clinical_default
            )
            table.add_row(name, rule.id, rule.kind.value, rule.label, rule.severity.value, source)
    common.out.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `telesurveillance` app."""
    app.add_typer(alerts_app, name="alerts")
