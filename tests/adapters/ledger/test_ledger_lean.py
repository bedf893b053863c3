"""Migration 0012_s23c_ledger_lean: the ledger lines lose the foreign keys of the ids they copy
from their prise en charge, keep the others, and the migration goes down and up again keeping
every line and event."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import migrate
from telesurveillance.adapters.sql.billing import ledger, synthetic
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import corrections
from telesurveillance.services.billing import ledger as bl
from telesurveillance.services.billing import run as billing_run

START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 9, 1)
NOW = dt.datetime(2025, 9, 2, 8, tzinfo=dt.UTC)


def _references(engine: sa.Engine) -> set[str]:
    keys = sa.inspect(engine).get_foreign_keys("billing_lines")
    return {key["constrained_columns"][0] for key in keys}


def test_a_line_keeps_the_keys_of_its_prise_en_charge_run_basis_and_reversed_charge(
    engine: sa.Engine,
) -> None:
    assert _references(engine) == {"prise_en_charge_id", "run_id", "basis_id", "reverses_id"}


def test_the_migration_goes_down_and_up_keeping_every_line_and_event(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 4, starts_on=START)
    lines = ledger.SqlLedger(engine)
    written = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW).written
    first = written[0].id
    assert first is not None
    corrections.reverse(lines, [first], "saisie erronée", actor="comptable", now=NOW)
    lines.record([first], bl.Status.SENT, "secrétariat", NOW, None)
    before, statuses = lines.lines(), lines.statuses()
    try:
        migrate.downgrade(engine, "0012_s23c_ledger_lean-1")
        assert "patient_id" in _references(engine)
        assert lines.lines() == before
        migrate.upgrade(engine)
        assert "patient_id" not in _references(engine)
        assert lines.lines() == before
        assert lines.statuses() == statuses
    finally:
        migrate.upgrade(engine)
