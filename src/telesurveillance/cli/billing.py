"""CLI of the billing ledger: runs, audit, reversals, statuses, exports, forecast, exploitant.

Registered on the existing `billing` group (`telesurveillance billing run …`), plus the top-level
`export parquet`. Exit codes: 0 done; 1 the audit found lines at risk; 2 invalid input.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from telesurveillance.adapters.exports import fhir_chargeitem, tabular
from telesurveillance.cli import common, i18n
from telesurveillance.domain import calendar
from telesurveillance.domain.billing import explain
from telesurveillance.domain.regulation import records, store
from telesurveillance.services.billing import audit as billing_audit
from telesurveillance.services.billing import corrections, explained, scale_out
from telesurveillance.services.billing import exploitant as billing_exploitant
from telesurveillance.services.billing import export as billing_export
from telesurveillance.services.billing import forecast as billing_forecast
from telesurveillance.services.billing import ledger as bl
from telesurveillance.services.billing import lines as billing_lines
from telesurveillance.services.billing import run as billing_run

export_app = typer.Typer(help="Data exports for scale-out (Parquet).")

Actor = Annotated[str, typer.Option("--actor", help="Who does this (recorded in the ledger).")]
Operateur = Annotated[int | None, typer.Option("--operateur", help="Only this opérateur (id).")]
Format = Annotated[str, typer.Option("--format", help="csv, json or fhir.")]
Out = Annotated[Path | None, typer.Option("--out", help="Write to this file (default stdout).")]
Explain = Annotated[
    bool, typer.Option("--explain", help="Print why, in words (the deciding sentence first).")
]
Lang = Annotated[
    explain.Lang, typer.Option("--lang", help="Language of the explanations (fr or en).")
]


def _table(*headers: str) -> Table:
    """A table with its column headers in the invocation's language."""
    return Table(*(i18n.t(f"billing.col.{h}") for h in headers))


def _day(value: str | None, option: str) -> dt.date:
    if value is None:
        return dt.datetime.now(calendar.PARIS).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        common.err.print(f"[red]{i18n.t('cli.not_a_date', option=option, value=repr(value))}[/]")
        raise typer.Exit(2) from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _store() -> bl.Ledger:
    """The ledger port of the configured store."""
    return common.store().ledger


def _euros(cents: int | None) -> str:
    return billing_export.euros(cents) or "—"


def run(
    until: Annotated[str, typer.Option("--until", help="Bill periods ended before this date.")],
    operateur: Operateur = None,
    actor: Actor = "cli",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes judging a big run (default: the machine's cores); same lines.",
        ),
    ] = None,
    spark: Annotated[
        str | None,
        typer.Option(
            "--spark",
            help="Aggregate the days with data on this Spark master (e.g. local[2] or "
            "spark://host:7077) from a Parquet export of the store; same lines.",
        ),
    ] = None,
) -> None:
    """Judge every period ended before --until and append the newly due lines to the ledger."""
    day = _day(until, "--until")
    days = _spark_days(spark, day) if spark is not None else None
    outcome = billing_run.run(
        _store(),
        store.packaged(),
        day,
        operateur_id=operateur,
        actor=actor,
        now=_now(),
        workers=workers or os.cpu_count() or 1,
        days=days,
    )
    total = sum(ln.amount_cents or 0 for ln in outcome.written)
    common.out.print(
        i18n.t(
            "billing.run",
            id=outcome.run.id,
            n=outcome.judged_periods,
            billable=outcome.billable_periods,
            lines=len(outcome.written),
            euros=_euros(total),
            already=outcome.already_billed,
        ),
        highlight=False,
    )


def _spark_days(master: str, until: dt.date) -> dict[int, frozenset[dt.date]]:
    """The days with data before `until`, aggregated by Spark on `master` from a Parquet export
    of the store's day counters (written to a temporary directory, removed after)."""
    try:
        from telesurveillance.adapters.spark import job
    except ImportError as missing:
        common.err.print(f"[red]{i18n.t('billing.no_spark', name=missing.name)}[/]")
        raise typer.Exit(2) from None
    with tempfile.TemporaryDirectory(prefix="telesurveillance-spark-") as tmp:
        scale_out.export(common.store().scale_out, Path(tmp))
        session = job.session(master)
        try:
            return job.days_with_data(session, Path(tmp), until)
        finally:
            session.stop()


def audit(
    today: Annotated[str | None, typer.Option("--today", help="Audit date.")] = None,
    operateur: Operateur = None,
    reverse: Annotated[
        bool, typer.Option("--reverse", help="Enter reversals for the lines no longer due.")
    ] = False,
    actor: Actor = "cli",
    explain_: Explain = False,
    lang: Lang = explain.Lang.FR,
) -> None:
    """Re-judge every standing charge with today's data and rules; list the indu risk."""
    ledger = _store()
    found = billing_audit.run_audit(ledger, store.packaged(), _day(today, "--today"), operateur)
    table = _table("line", "patient", "period", "forfait", "billed", "at_risk", "reasons")
    for f in found:
        table.add_row(
            str(f.line.id),
            str(f.line.patient_id),
            f"{f.line.period_number} ({f.line.period_start.isoformat()})",
            f.line.forfait.value,
            _euros(f.line.amount_cents),
            _euros(f.at_risk_cents),
            "; ".join(f"{r.rule}{f' ({r.detail})' if r.detail else ''}" for r in f.reasons),
        )
    common.out.print(table)
    if explain_:
        for f in found:
            why = billing_audit.explanation(f, lang)
            if why is not None:
                head = "Ligne" if lang is explain.Lang.FR else "Line"
                common.out.print(f"{head} {f.line.id}", highlight=False, markup=False)
                common.out.print(explain.render([why]), highlight=False, markup=False)
    risk = sum(f.at_risk_cents for f in found)
    common.out.print(i18n.t("billing.at_risk", n=len(found), euros=_euros(risk)), highlight=False)
    if reverse:
        done = billing_audit.reverse_not_due(ledger, found, actor=actor, now=_now())
        common.out.print(i18n.t("billing.reversed", n=len(done)), highlight=False)
    if found:
        raise typer.Exit(1)


def lines(
    operateur: Operateur = None,
    exploitant_id: Annotated[
        int | None, typer.Option("--exploitant", help="Only this exploitant (id).")
    ] = None,
    run_id: Annotated[int | None, typer.Option("--run", help="Only this run's lines.")] = None,
    explain_: Explain = False,
    lang: Lang = explain.Lang.FR,
) -> None:
    """List the ledger's lines; with --explain, why each billed period was billed, in words."""
    regulation = store.packaged()
    found = billing_lines.listed(
        _store(), operateur_id=operateur, exploitant_id=exploitant_id, run_id=run_id
    )
    if not explain_:
        table = _table(
            "line", "run", "entry", "patient", "indication", "period", "forfait", "code",
            "amount", "days",
        )  # fmt: skip
        for ln in found:
            table.add_row(
                str(ln.id),
                str(ln.run_id),
                ln.entry.value
                if ln.reverses_id is None
                else i18n.t("billing.reversal_of", id=ln.reverses_id),
                str(ln.patient_id),
                ln.indication,
                f"{ln.period_number} ({ln.period_start.isoformat()})",
                ln.forfait.value,
                ln.code or "",
                _euros(ln.amount_cents),
                f"{ln.days_with_data}/{ln.expected_days}",
            )
        common.out.print(table)
        common.out.print(i18n.t("billing.lines", n=len(found)), highlight=False)
        return
    fr = lang is explain.Lang.FR
    for e in explained.charges(regulation, found, lang):
        ids = ", ".join(str(i) for i in e.line_ids)
        head = (
            f"Lignes {ids} — patient {e.patient_id}, prise en charge {e.prise_en_charge_id}"
            if fr
            else f"Lines {ids} — patient {e.patient_id}, prise en charge {e.prise_en_charge_id}"
        )
        common.out.print(f"{head} — {e.label}", highlight=False, markup=False)
        common.out.print(explain.render([e.explanation]), highlight=False, markup=False)
    for ln in found:
        if ln.entry is bl.Entry.REVERSAL:
            text = (
                f"Ligne {ln.id} : annule la ligne {ln.reverses_id} — {ln.reason or ''}"
                if fr
                else f"Line {ln.id}: reverses line {ln.reverses_id} — {ln.reason or ''}"
            )
            common.out.print(text.rstrip(" —"), highlight=False, markup=False)


def reverse(
    line_ids: Annotated[list[int], typer.Argument(help="Ledger line ids to reverse.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded on the reversal).")],
    actor: Actor = "cli",
) -> None:
    """Cancel billed lines with reversal lines (a line is never changed)."""
    done = corrections.reverse(_store(), line_ids, reason, actor=actor, now=_now())
    common.out.print(i18n.t("billing.reversed", n=len(done)), highlight=False)


def mark(
    line_ids: Annotated[list[int], typer.Argument(help="Ledger line ids.")],
    status: Annotated[bl.Status, typer.Option("--status", help="sent, paid or rejected.")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    actor: Actor = "cli",
) -> None:
    """Record that lines were sent, paid or rejected (who and when are kept)."""
    count = billing_lines.mark(_store(), line_ids, status, actor=actor, now=_now(), note=note)
    common.out.print(i18n.t("billing.marked", n=count, status=status.value), highlight=False)


def _write(rows: list[billing_export.Row], fmt: str, out: Path | None) -> None:
    if fmt == "csv":
        text = tabular.to_csv(rows)
    elif fmt == "json":
        text = tabular.to_json(rows)
    elif fmt == "fhir":
        text = json.dumps(fhir_chargeitem.bundle(rows), ensure_ascii=False, indent=2)
    else:
        common.err.print(f"[red]{i18n.t('billing.format', fmt=repr(fmt))}[/]")
        raise typer.Exit(2)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")
        common.err.print(i18n.t("billing.written", n=len(rows), out=out), highlight=False)


def export_operateur(
    operateur_id: Annotated[int, typer.Argument(help="Opérateur id.")],
    fmt: Format = "csv",
    out: Out = None,
    run_id: Annotated[int | None, typer.Option("--run", help="Only this run's lines.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    lang: Lang = explain.Lang.FR,
) -> None:
    """The opérateur's billing file (forfait opérateur lines, invoices of ≤ 6 periods)."""
    rows = billing_export.for_operateur(
        _store(), store.packaged(), operateur_id, _day(as_of, "--as-of"), run_id, lang
    )
    _write(rows, fmt, out)


def export_exploitant(
    exploitant_id: Annotated[int, typer.Argument(help="Exploitant id.")],
    fmt: Format = "csv",
    out: Out = None,
    run_id: Annotated[int | None, typer.Option("--run", help="Only this run's lines.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    lang: Lang = explain.Lang.FR,
) -> None:
    """The exploitant's forfait technique file (LATM code, amount)."""
    rows = billing_export.for_exploitant(
        _store(), store.packaged(), exploitant_id, _day(as_of, "--as-of"), run_id, lang
    )
    _write(rows, fmt, out)


def forecast(
    today: Annotated[str | None, typer.Option("--today")] = None,
    operateur: Operateur = None,
) -> None:
    """Patients whose current period may miss the observance threshold (the worklist)."""
    found = billing_forecast.worklist(_store(), store.packaged(), _day(today, "--today"), operateur)
    table = _table("patient", "indication", "period", "days", "needed", "days_left", "outlook")
    for f in found:
        table.add_row(
            str(f.patient_id),
            f.indication,
            f"{f.period_number} (→ {f.period_last_day.isoformat()})",
            str(f.days_with_data),
            str(f.needed_days),
            str(f.days_left),
            f.outlook.value,
        )
    common.out.print(table)
    common.out.print(i18n.t("billing.patients_at_risk", n=len(found)), highlight=False)


def exploitant(
    exploitant_id: Annotated[int, typer.Argument(help="Exploitant id.")],
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    benefit: Annotated[records.Benefit, typer.Option()] = records.Benefit.ORGANISATIONNEL,
    simulate: Annotated[
        int | None, typer.Option("--simulate", min=1, help="Simulate another file active.")
    ] = None,
) -> None:
    """File active by month, semester average and tier, revenue; APPROXIMATE simulation."""
    regulation = store.packaged()
    day = _day(as_of, "--as-of")
    view = billing_exploitant.for_exploitant(_store(), regulation, exploitant_id, day, benefit)
    table = _table("month", "indication", "file_active", "revenue", "unpriced")
    for m in view.months:
        table.add_row(
            m.month.strftime("%Y-%m"),
            m.indication,
            str(m.file_active),
            _euros(m.revenue_cents),
            str(m.unpriced_lines),
        )
    common.out.print(table)
    for t in view.tiers:
        tier = (
            f"{t.tier_from}–{t.tier_to or '…'}"
            if t.tier_from is not None
            else i18n.t("billing.unknown")
        )
        sims = ", ".join(f"{s.reading.value}: {s.amount or '?'} €" for s in t.simulations)
        common.out.print(
            i18n.t(
                "billing.tier",
                indication=t.indication,
                average=t.semester_average,
                tier=tier,
                sims=sims,
            ),
            highlight=False,
        )
    if simulate is not None:
        for s in billing_exploitant.simulate(regulation, benefit, simulate, day):
            shown = (
                i18n.t("billing.unknown")
                if s.amount is None
                else i18n.t("billing.per_patient", amount=s.amount)
            )
            common.out.print(
                i18n.t("billing.simulated", n=simulate, reading=s.reading.value, shown=shown),
                highlight=False,
            )


@export_app.command("parquet")
def export_parquet(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the Parquet files in.")],
    raw: Annotated[bool, typer.Option("--raw", help="Also export the raw readings.")] = False,
) -> None:
    """Export the day counters (and raw readings) as Parquet for Spark or DuckDB."""
    counts = scale_out.export(common.store().scale_out, out, raw=raw)
    for name, count in counts.items():
        common.out.print(
            i18n.t("billing.parquet", name=name, n=count, path=out / name), highlight=False
        )


def _billing_group(app: typer.Typer) -> typer.Typer:
    for group in app.registered_groups:
        if group.name == "billing" and group.typer_instance is not None:
            return group.typer_instance
    billing = typer.Typer(help="Billing.")
    app.add_typer(billing, name="billing")
    return billing


def register(app: typer.Typer) -> None:
    """Add this area's commands: on the existing `billing` group, and `export parquet`."""
    billing = _billing_group(app)
    billing.command("run")(run)
    billing.command("audit")(audit)
    billing.command("lines")(lines)
    billing.command("reverse")(reverse)
    billing.command("mark")(mark)
    billing.command("forecast")(forecast)
    billing.command("exploitant")(exploitant)
    export = typer.Typer(help="Billing files per opérateur or exploitant.")
    export.command("operateur")(export_operateur)
    export.command("exploitant")(export_exploitant)
    billing.add_typer(export, name="export")
    app.add_typer(export_app, name="export")
