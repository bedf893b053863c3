"""Ledger lines explained: what a run billed reads, long after, in the very sentences the
engine's verdict gave (French by default, English complete), in the exports, the audit and
`billing lines --explain`; on both backends."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from telesurveillance.adapters.exports import fhir_chargeitem, tabular
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import ledger, synthetic, tables
from telesurveillance.adapters.sql.core import tables as core_tables
from telesurveillance.cli import app
from telesurveillance.domain.billing import engine as billing_engine
from telesurveillance.domain.billing import explain, verdict
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import audit, explained, export, notes, run


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command's English lines (French is the default)."""
    monkeypatch.setenv("TELESURVEILLANCE_LANG", "en")


#: The synthetic population's first start of monitoring.
START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 9, 1)
NOW = dt.datetime(2025, 9, 2, 8, tzinfo=dt.UTC)
Lang = explain.Lang

runner = CliRunner()


def _billed(engine: sa.Engine, regulation: store.Regulation) -> ledger.SqlLedger:
    synthetic.populate(engine, 12, starts_on=START, periods=8, operateurs=1)
    lines = ledger.SqlLedger(engine)
    run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    return lines


def test_a_note_keeps_its_typed_facts_in_the_ledger(regulation: store.Regulation) -> None:
    day = dt.date(2025, 2, 5)
    note = verdict.Reason(
        "observance.insufficient_review",
        "t",
        "t",
        (),
        "9 of 30 expected days",
        (
            ("days", 9),
            ("expected", 30),
            ("minimum", Decimal("15.0")),
            ("day", day),
            ("label", "texte"),
            ("none", None),
        ),
    )
    stored = notes.encode((note,))
    assert json.loads(stored)[0]["rule"] == note.rule
    assert json.loads(stored)[0]["detail"] == note.detail
    (found,) = notes.read(regulation, stored, day)
    assert not found.legacy
    assert found.reason.facts == tuple(sorted(note.facts))
    assert found.reason.text == regulation.rule_text(note.rule, day).value.texte


def test_a_note_stored_before_its_facts_were_kept_reads_as_legacy(
    regulation: store.Regulation,
) -> None:
    stored = json.dumps([{"rule": "observance.checkpoint", "detail": "period 1: 3 of 30 days"}])
    (found,) = notes.read(regulation, stored, START)
    assert found.legacy
    assert found.reason.facts == ()
    assert found.reason.detail == "period 1: 3 of 30 days"


@pytest.mark.parametrize("lang", list(Lang))
def test_every_billed_period_reads_as_the_engines_verdict_said_it(
    engine: sa.Engine, regulation: store.Regulation, lang: Lang
) -> None:
    lines = _billed(engine, regulation)
    periods = {
        (s.prise_en_charge_id, p.number): p
        for s in lines.streams(UNTIL)
        for p in billing_engine.judge(regulation, s.situation, UNTIL).periods
    }
    found = explained.charges(regulation, lines.lines(), lang)
    assert found
    assert any(e.explanation.notes for e in found)  # the population has periods to review
    for e in found:
        expected = explain.period(periods[(e.prise_en_charge_id, e.explanation.number)], lang)
        assert e.explanation == expected
        assert len(e.line_ids) == 2


def test_a_line_written_without_facts_still_explains_its_notes(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    with_notes = next(ln for ln in lines.lines() if json.loads(ln.notes))
    legacy = json.dumps(
        [{"rule": n["rule"], "detail": n["detail"]} for n in json.loads(with_notes.notes)]
    )
    L = tables.billing_lines.c
    with database.writing(engine) as conn:
        conn.execute(
            sa.update(tables.billing_lines)
            .where(
                L.prise_en_charge_id == with_notes.prise_en_charge_id,
                L.period_number == with_notes.period_number,
            )
            .values(notes=legacy)
        )
    group = [ln for ln in lines.lines() if explained.key(ln) == explained.key(with_notes)]
    found = explained.explanation(regulation, group, Lang.FR)
    rule = json.loads(legacy)[0]["rule"]
    text = regulation.rule_text(rule, with_notes.period_start).value.texte
    assert any(n.startswith(text) for n in found.notes)
    assert found.decision[0].endswith("— forfait dû")
    assert found.sources


def test_the_files_carry_each_periods_explanation(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    streams = lines.streams(UNTIL)
    rows = export.rows(regulation, streams, lines.lines(), verdict.Forfait.OPERATEUR, UNTIL)
    assert rows
    assert all(" jours avec données sur " in r.explanation for r in rows)
    assert all(r.explanation.split(" | ")[0].endswith("— forfait dû") for r in rows)
    # Worked out once per distinct case, the cell is the period's own summary.
    by_id = {ln.id: ln for ln in lines.lines()}
    for r in rows:
        group = [
            ln for ln in by_id.values() if explained.key(ln) == explained.key(by_id[r.line_id])
        ]
        own = explained.summary(explained.explanation(regulation, group, Lang.FR))
        assert r.explanation == own
    assert any(" | À revoir : " in r.explanation for r in rows)
    english = export.rows(
        regulation, streams, lines.lines(), verdict.Forfait.TECHNIQUE, UNTIL, Lang.EN
    )
    assert all(r.explanation.split(" | ")[0].endswith("— forfait due") for r in english)
    text = tabular.to_csv(rows)
    read = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [r["explanation"] for r in read] == [r.explanation for r in rows]
    bundle = fhir_chargeitem.bundle(rows)
    item = bundle["entry"][0]["resource"]
    assert item["note"][-1]["text"] == rows[0].explanation


def test_a_period_at_risk_is_explained_as_judged_today(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    with database.writing(engine) as conn:
        conn.execute(sa.delete(core_tables.reading_days))
    today = dt.date(2025, 9, 15)
    findings = audit.audit(regulation, lines.streams(today), lines.lines(), today)
    assert findings
    for f in findings:
        why = audit.explanation(f, Lang.FR)
        assert why is not None
        assert not why.billable
        assert any("aucune donnée" in d and d.endswith("— non facturable") for d in why.decision)


@pytest.fixture
def store_url(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    monkeypatch.setenv(
        "TELESURVEILLANCE_DATABASE_URL", engine.url.render_as_string(hide_password=False)
    )
    return engine


def test_billing_lines_lists_and_explains_in_french_then_english(store_url: sa.Engine) -> None:
    synthetic.populate(store_url, 2, starts_on=START, periods=3, operateurs=1)
    billed = runner.invoke(app, ["billing", "run", "--until", "2025-04-20"])
    assert billed.exit_code == 0, billed.output
    listed = runner.invoke(app, ["billing", "lines"])
    assert listed.exit_code == 0, listed.output
    count = int(listed.stdout.strip().splitlines()[-1].split()[0])
    assert count > 0
    french = runner.invoke(app, ["billing", "lines", "--explain"])
    assert french.exit_code == 0, french.output
    assert "Période 1 — du " in french.stdout
    assert "— Insuffisance cardiaque chronique" in french.stdout  # the listing's name
    assert "— forfait dû" in french.stdout
    assert "Textes officiels" in french.stdout
    english = runner.invoke(app, ["billing", "lines", "--explain", "--lang", "en"])
    assert english.exit_code == 0, english.output
    assert "Period 1 — " in english.stdout
    assert "— Chronic heart failure" in english.stdout
    assert "— forfait due" in english.stdout
    assert "Période" not in english.stdout


def test_a_reversed_line_says_what_it_cancels(store_url: sa.Engine) -> None:
    synthetic.populate(store_url, 1, starts_on=START, periods=2, operateurs=1)
    assert runner.invoke(app, ["billing", "run", "--until", "2025-03-20"]).exit_code == 0
    first = ledger.SqlLedger(store_url).lines()[0].id
    reversed_ = runner.invoke(
        app, ["billing", "reverse", str(first), "--reason", "erreur de saisie"]
    )
    assert reversed_.exit_code == 0, reversed_.output
    found = runner.invoke(app, ["billing", "lines", "--explain"])
    assert found.exit_code == 0, found.output
    assert f"annule la ligne {first} — erreur de saisie" in found.stdout
