"""Ledger lines share their basis: each text is stored once, read back joined, and migration
0008_s13_ledger_basis moves the texts of existing lines into the shared table and back."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import migrate
from telesurveillance.adapters.sql.billing import ledger, synthetic, tables
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import corrections
from telesurveillance.services.billing import ledger as bl
from telesurveillance.services.billing import run as billing_run

START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 9, 1)
NOW = dt.datetime(2025, 9, 2, 8, tzinfo=dt.UTC)


def _billed(engine: sa.Engine, regulation: store.Regulation) -> ledger.SqlLedger:
    """A few patients billed, one charge reversed, the first line sent."""
    synthetic.populate(engine, 6, starts_on=START)
    lines = ledger.SqlLedger(engine)
    written = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW).written
    first = written[0].id
    assert first is not None
    corrections.reverse(lines, [first], "saisie erronée", actor="comptable", now=NOW)
    lines.record([first], bl.Status.SENT, "secrétariat", NOW, None)
    return lines


def test_each_basis_text_is_stored_once_and_lines_read_it_back(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    read = lines.lines()
    texts = {ln.basis for ln in read}
    with engine.connect() as conn:
        stored = conn.execute(sa.select(tables.billing_bases.c.basis)).scalars().all()
    assert sorted(stored) == sorted(texts)
    assert len(read) > len(texts)
    assert all(ln.basis.startswith('[["') for ln in read)


def test_a_second_run_adds_no_basis_it_already_holds(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(tables.billing_bases))
        count = before.scalar_one()
    later = UNTIL + dt.timedelta(days=60)
    assert billing_run.run(lines, regulation, later, actor="test", now=NOW).written
    with engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(tables.billing_bases))
        assert after.scalar_one() == count


def test_the_migration_moves_existing_bases_into_the_shared_table_and_back(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    lines = _billed(engine, regulation)
    before = lines.lines()
    statuses = lines.statuses()
    try:
        migrate.downgrade(engine, "0004_ledger")
        with engine.connect() as conn:
            texts = dict(conn.exec_driver_sql("SELECT id, basis FROM billing_lines").all())
            events = conn.exec_driver_sql("SELECT count(*) FROM billing_line_events").scalar()
        assert texts == {ln.id: ln.basis for ln in before}
        assert events == 1
        migrate.upgrade(engine)
        assert lines.lines() == before
        assert lines.statuses() == statuses
        with engine.connect() as conn:
            stored = conn.execute(sa.select(tables.billing_bases.c.basis)).scalars().all()
        assert sorted(stored) == sorted({ln.basis for ln in before})
    finally:
        migrate.upgrade(engine)
