"""The indu-risk audit finds charges that today's data or rules no longer support."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import ledger, synthetic
from telesurveillance.adapters.sql.core import corrections, tables
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import audit, run

#: The synthetic population's first start of monitoring.
START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 6, 1)
TODAY = dt.date(2025, 7, 1)
NOW = dt.datetime(2025, 6, 2, tzinfo=dt.UTC)


def _billed(engine: sa.Engine, regulation: store.Regulation) -> ledger.SqlLedger:
    synthetic.populate(engine, 4, starts_on=START, periods=4)
    lines = ledger.SqlLedger(engine)
    run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    return lines


def _audit(lines: ledger.SqlLedger, regulation: store.Regulation) -> list[audit.Finding]:
    return audit.audit(regulation, lines.streams(TODAY), lines.lines(), TODAY)


def test_nothing_is_at_risk_when_nothing_changed(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    assert _audit(lines, regulation) == []


def test_a_death_date_corrected_earlier_puts_later_periods_at_risk(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    first = lines.lines()[0]
    with database.writing(engine) as conn:
        conn.execute(
            sa.update(tables.patients)
            .where(tables.patients.c.id == first.patient_id)
            .values(died_on=first.period_start + dt.timedelta(days=3))
        )
    findings = _audit(lines, regulation)
    assert findings
    assert {f.line.patient_id for f in findings} == {first.patient_id}
    assert all(f.line.period_number >= 2 for f in findings)
    assert all(f.risk is audit.Risk.NOT_DUE for f in findings)
    assert sum(f.at_risk_cents for f in findings) == sum(f.line.amount_cents or 0 for f in findings)
    assert any(r.rule == "patient.deceased" for f in findings for r in f.reasons)


def test_a_certificate_found_expired_puts_the_periods_after_it_at_risk(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    first = lines.lines()[0]
    expired = first.period_start + dt.timedelta(days=40)
    with database.writing(engine) as conn:
        conn.execute(
            sa.update(tables.dmns)
            .where(tables.dmns.c.id == first.dmn_id)
            .values(certified_until=expired)
        )
    findings = _audit(lines, regulation)
    assert findings
    assert all(f.line.dmn_id == first.dmn_id for f in findings)
    assert all(f.line.period_start > expired for f in findings)
    assert all(r.rule == "prerequisite.certificate" for f in findings for r in f.reasons)


def test_deleted_readings_put_the_period_at_risk(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    first = lines.lines()[0]
    d = tables.reading_days.c
    with database.writing(engine) as conn:
        conn.execute(
            sa.delete(tables.reading_days).where(
                d.patient_id == first.patient_id,
                d.day >= first.period_start,
                d.day <= first.period_last_day,
            )
        )
    findings = _audit(lines, regulation)
    at_risk = {(f.line.period_number, f.line.forfait) for f in findings}
    assert (1, first.forfait) in at_risk
    assert any(r.rule == "observance.zero_data" for f in findings for r in f.reasons)
    assert all(f.at_risk_cents == (f.line.amount_cents or 0) for f in findings)


def test_a_lower_amount_due_today_puts_the_difference_at_risk(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 4, starts_on=START, periods=4)
    with database.writing(engine) as conn:
        conn.execute(sa.update(tables.dmns).values(benefit="mortalite"))
    lines = ledger.SqlLedger(engine)
    run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    with database.writing(engine) as conn:
        conn.execute(sa.update(tables.dmns).values(benefit="organisationnel"))
    findings = _audit(lines, regulation)
    changed = [f for f in findings if f.risk is audit.Risk.AMOUNT_CHANGED]
    assert changed
    assert len(changed) == len(findings)
    for f in changed:
        assert f.due_cents is not None
        assert f.due_cents < (f.line.amount_cents or 0)
        assert f.at_risk_cents == (f.line.amount_cents or 0) - f.due_cents


def test_the_audit_reverses_what_is_no_longer_due_and_leaves_a_changed_amount(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 4, starts_on=START, periods=4)
    with database.writing(engine) as conn:
        conn.execute(sa.update(tables.dmns).values(benefit="mortalite"))
    lines = ledger.SqlLedger(engine)
    run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    first = lines.lines()[0]
    with database.writing(engine) as conn:
        conn.execute(sa.update(tables.dmns).values(benefit="organisationnel"))
        conn.execute(
            sa.update(tables.patients)
            .where(tables.patients.c.id == first.patient_id)
            .values(died_on=first.period_start + dt.timedelta(days=3))
        )
    findings = audit.run_audit(lines, regulation, TODAY)
    not_due = {f.line.id for f in findings if f.risk is audit.Risk.NOT_DUE}
    changed = [f for f in findings if f.risk is audit.Risk.AMOUNT_CHANGED]
    assert not_due
    assert changed
    reversals = audit.reverse_not_due(lines, findings, actor="audit", now=NOW)
    assert {r.reverses_id for r in reversals} == not_due
    assert all(r.reason == audit.REVERSAL_REASON for r in reversals)
    assert audit.run_audit(lines, regulation, TODAY) == changed


def test_readings_withdrawn_as_entered_in_error_put_their_billed_period_at_risk(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    """A device withdraws the readings of a billed period (FHIR status entered-in-error): the
    day counters follow, and the audit finds the charge no longer supported."""
    lines = _billed(engine, regulation)
    first = lines.lines()[0]
    raw = [r for r in synthetic.raw_readings(engine) if r.patient_id == first.patient_id]
    in_period = [r for r in raw if first.period_start <= r.day <= first.period_last_day]
    assert in_period
    with database.writing(engine) as conn:
        conn.execute(  # the raw readings behind the synthetic counters (counted already)
            sa.insert(tables.readings),
            [
                {"patient_id": r.patient_id, "kind": r.kind, "ts": r.ts, "value": r.value}
                for r in raw
            ],
        )
        assert len(corrections.withdraw(conn, in_period)) == len(in_period)
    findings = _audit(lines, regulation)
    mine = {
        (f.line.period_number, f.line.forfait)
        for f in findings
        if f.line.patient_id == first.patient_id
    }
    assert (first.period_number, first.forfait) in mine
    assert any(r.rule == "observance.zero_data" for f in findings for r in f.reasons)
