"""The `telesurveillance` command (Typer + Rich): the edge that composes everything."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from telesurveillance.adapters.cases import loader as case_file
from telesurveillance.adapters.cases import verdict_json
from telesurveillance.cli import alerts, billing, demo, i18n, nightscout, pathway, security
from telesurveillance.cli import store as store_commands
from telesurveillance.domain import calendar
from telesurveillance.domain.billing import engine, explain, file_active
from telesurveillance.domain.regulation import catalogue, check, loader, records, store, timeline

app = typer.Typer(
    help="Open-source French medical telemonitoring (LATM) platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
billing_app = typer.Typer(help="Billing: per-period verdicts with their legal basis.")
regulation_app = typer.Typer(help="Regulatory parameters: cited, dated values.")
app.add_typer(billing_app, name="billing")
app.add_typer(regulation_app, name="regulation")
for _area in (store_commands, alerts, pathway, billing, security, demo, nightscout):
    _area.register(app)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@app.callback()
def _root(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="Language of the messages: fr (default) or en.", show_default=False
        ),
    ] = None,
) -> None:
    """Open-source French medical telemonitoring (LATM) platform."""
    if lang is not None and lang not in i18n.LANGUAGES:
        raise typer.BadParameter(i18n.t("cli.lang_invalid"), param_hint="--lang")
    i18n.choose(lang)


def _regulation() -> store.Regulation:
    try:
        return store.packaged()
    except loader.RegulationError as exc:
        err.print(f"[red]{i18n.t('regulation.invalid')}[/] {exc}")
        raise typer.Exit(2) from None


@billing_app.command("case")
def billing_case(
    files: Annotated[list[Path], typer.Argument(help="Case files (YAML).", exists=False)],
    check_: Annotated[
        bool, typer.Option("--check", help="Compare with each case's `expect`.")
    ] = False,
    explain_: Annotated[
        bool,
        typer.Option("--explain", help="Print each period's explanation instead of JSON."),
    ] = False,
    lang: Annotated[
        explain.Lang, typer.Option("--lang", help="Language of the explanations.")
    ] = explain.Lang.FR,
) -> None:
    """Judge acceptance cases: print the verdicts as JSON (or explained, `--explain`), or check
    them against `expect`.

    Exit codes: 0 all good; 1 a case differs from its expectation; 2 a file is not a valid case.
    """
    regulation = _regulation()
    results: list[dict[str, Any]] = []
    invalid = differs = 0
    for path in files:
        try:
            case = case_file.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            err.print(
                f"[red]{i18n.t('case.invalid')}[/] {path}: {i18n.t('case.unreadable', error=exc)}"
            )
            invalid += 1
            continue
        except case_file.CaseError as exc:
            err.print(f"[red]{i18n.t('case.invalid')}[/] {path}: {exc}")
            invalid += 1
            continue
        judged = engine.judge(regulation, case.situation, case.as_of)
        if explain_ and not check_:
            out.print(f"{case.name}\n", highlight=False, markup=False)
            out.print(
                explain.render(explain.judgement(judged, lang)), highlight=False, markup=False
            )
            continue
        if not check_:
            results.append(verdict_json.judgement(case.name, judged))
            continue
        problems = case_file.mismatches(case, judged)
        if problems:
            differs += 1
            out.print(f"[red]{i18n.t('case.fail')}[/] {path}: {case.name}", highlight=False)
            for problem in problems:
                out.print(f"    {problem}", highlight=False)
        else:
            out.print(f"[green]{i18n.t('case.pass')}[/] {path}: {case.name}", highlight=False)
    if not check_ and not explain_:
        document: Any = results[0] if len(files) == 1 and results else results
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        passed = len(files) - differs - invalid
        out.print(i18n.t("case.summary", passed=passed, failed=differs, invalid=invalid))
    if invalid:
        raise typer.Exit(2)
    if differs:
        raise typer.Exit(1)


@billing_app.command("simulate")
def billing_simulate(
    file_active_: Annotated[
        int, typer.Option("--file-active", min=1, help="Average monthly file active.")
    ],
    benefit: Annotated[
        records.Benefit, typer.Option(help="Expected benefit of the activity.")
    ] = records.Benefit.ORGANISATIONNEL,
    at: Annotated[
        str | None, typer.Option("--at", help="Date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """APPROXIMATE forfait technique per patient under both readings of the file-active grid."""
    regulation = _regulation()
    day = _parse_day(at, "--at")
    try:
        grid = regulation.get("forfaits.technique.grille_file_active", records.FileActiveGrid).at(
            day
        )
        floors = regulation.get("forfaits.technique.planchers", records.AmountsByBenefit).at(day)
    except timeline.NotInForce as missing:
        err.print(f"[red]{missing}[/]")
        raise typer.Exit(1) from None
    out.print(i18n.t("simulate.approximate", lecture=grid.value.lecture))
    for reading in file_active.Reading:
        sim = file_active.simulate(grid.value, floors.value, benefit, file_active_, reading)
        shown = i18n.t("simulate.unknown") if sim.amount is None else f"{sim.amount:.2f} €"
        floored = f" ({i18n.t('simulate.floor')})" if sim.floored else ""
        out.print(f"{reading.value}: {shown}{floored}", highlight=False)


def _parse_day(value: str | None, option: str) -> dt.date:
    if value is None:
        return dt.datetime.now(calendar.PARIS).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]{i18n.t('cli.not_a_date', option=option, value=repr(value))}[/]")
        raise typer.Exit(2) from None


@regulation_app.command("show")
def regulation_show(
    name: Annotated[str, typer.Argument(help="Parameter, e.g. forfaits/operateur/socle_niveau_2")],
    at: Annotated[
        str | None, typer.Option("--at", help="Date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Show the value of a parameter in force at a date, since when, and its citations."""
    regulation = _regulation()
    key = catalogue.name_of(name)
    if key not in catalogue.CATALOGUE:
        err.print(
            f"[red]{i18n.t('regulation.unknown', key=repr(key))}[/]{i18n.t('regulation.see')}"
        )
        raise typer.Exit(2)
    day = _parse_day(at, "--at")
    tl = regulation.any(key)
    dated = tl.get(day)
    out.print(f"[bold]{key}[/] — {tl.title}")
    if dated is None:
        out.print(f"[red]{i18n.t('regulation.nothing', day=day.isoformat())}[/]")
        raise typer.Exit(1)
    until = dated.until.isoformat() if dated.until else "…"
    out.print(
        i18n.t(
            "regulation.in_force", day=day.isoformat(), since=dated.since.isoformat(), until=until
        )
    )
    out.print(json.dumps(_plain(dated.value), ensure_ascii=False, indent=2), highlight=False)
    if dated.note:
        out.print(i18n.t("regulation.note", note=dated.note), highlight=False)
    for c in dated.cite:
        out.print(f"  • \\[{c.status.value}] {c.short()}", highlight=False)
        if c.quote:
            out.print(f"      « {c.quote} »", highlight=False)


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@regulation_app.command("list")
def regulation_list() -> None:
    """List every regulatory parameter with its title."""
    regulation = _regulation()
    table = Table(*(i18n.t(f"regulation.col.{h}") for h in ("parameter", "title", "values")))
    for tl in regulation:
        table.add_row(tl.name, tl.title, str(len(tl.entries)))
    out.print(table)


@regulation_app.command("check")
def regulation_check(
    today: Annotated[
        str | None, typer.Option("--today", help="Reference date for staleness.")
    ] = None,
    show_to_confirm: Annotated[
        bool, typer.Option("--to-confirm", help="List what is still to confirm.")
    ] = False,
) -> None:
    """Check the data: citations, reviews older than 180 days, gaps. Exit 1 on any error."""
    regulation = _regulation()
    findings = check.check(regulation, _parse_day(today, "--today"))
    errors = [f for f in findings if f.severity is check.Severity.ERROR]
    infos = [f for f in findings if f.severity is check.Severity.INFO]
    for f in errors:
        out.print(f"[red]{i18n.t('regulation.error')}[/] {f.name}: {f.message}", highlight=False)
    if show_to_confirm:
        for f in infos:
            out.print(
                i18n.t("regulation.to_confirm", name=f.name, message=f.message), highlight=False
            )
    out.print(
        i18n.t(
            "regulation.checked", n=len(regulation.names()), errors=len(errors), infos=len(infos)
        )
    )
    if errors:
        raise typer.Exit(1)


def command(language: str) -> Any:
    """The command tree with its help texts in `language`."""
    built = typer.main.get_command(app)
    i18n.localize(built, language)
    return built


def main() -> None:
    """Entry point of the console script and of `python -m telesurveillance`: the help in the
    language of `--lang` / `TELESURVEILLANCE_LANG` (French by default)."""
    command(i18n.from_argv(sys.argv[1:]))()
