"""The ledger's lines are listed by run and marked sent, paid or rejected with who and when."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.billing import ledger, synthetic, tables
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import ledger as bl
from telesurveillance.services.billing import lines, run

#: The synthetic population's first start of monitoring (first periods end 4–23 February).
START = dt.date(2025, 1, 6)
NOW = dt.datetime(2025, 5, 2, 8, tzinfo=dt.UTC)


def test_lines_are_listed_by_run_in_id_order(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    pop = synthetic.populate(engine, 2, starts_on=START, periods=3)
    ledger_ = ledger.SqlLedger(engine)
    first = run.run(ledger_, regulation, dt.date(2025, 3, 1), actor="test", now=NOW)
    second = run.run(ledger_, regulation, dt.date(2025, 4, 15), actor="test", now=NOW)
    assert first.written
    assert second.written
    assert [ln.id for ln in lines.listed(ledger_, run_id=first.run.id)] == [
        ln.id for ln in first.written
    ]
    every = [ln.id for ln in lines.listed(ledger_)]
    assert every == sorted(ln.id for ln in (*first.written, *second.written))
    assert lines.listed(ledger_, operateur_id=max(pop.operateur_ids) + 1) == []


def test_marking_records_one_event_per_line_held_with_who_and_when(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 1, starts_on=START, periods=2)
    ledger_ = ledger.SqlLedger(engine)
    written = run.run(ledger_, regulation, dt.date(2025, 4, 1), actor="test", now=NOW).written
    ids = [ln.id for ln in written if ln.id is not None]
    assert ids
    marked = lines.mark(
        ledger_, [*ids, 999_999], bl.Status.PAID, actor="CPAM", now=NOW, note="virement"
    )
    assert marked == len(ids)
    assert ledger_.statuses(ids) == dict.fromkeys(ids, bl.Status.PAID)
    ev = tables.billing_line_events.c
    with engine.connect() as conn:
        found = conn.execute(sa.select(ev.actor, ev.note).where(ev.line_id == ids[0])).all()
    assert [tuple(r) for r in found] == [("CPAM", "virement")]


def test_a_line_is_sent_before_it_is_paid_or_rejected_and_a_paid_line_is_settled(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 1, starts_on=START, periods=2)
    ledger_ = ledger.SqlLedger(engine)
    written = run.run(ledger_, regulation, dt.date(2025, 4, 1), actor="test", now=NOW).written
    one, other = [ln.id for ln in written if ln.id is not None][:2]

    def move(ids: list[int], status: bl.Status) -> lines.Moved:
        return lines.move(ledger_, ids, status, actor="Claire", now=NOW)

    assert move([one], bl.Status.PAID) == lines.Moved((), (one,))
    assert move([one, other], bl.Status.SENT) == lines.Moved((one, other), ())
    assert move([one], bl.Status.SENT) == lines.Moved((), (one,))
    assert move([one], bl.Status.PAID) == lines.Moved((one,), ())
    assert move([one], bl.Status.REJECTED) == lines.Moved((), (one,))
    assert move([other], bl.Status.REJECTED) == lines.Moved((other,), ())
    assert move([other, 999_999], bl.Status.SENT) == lines.Moved((other,), (999_999,))
    latest = ledger_.latest_events([one, other])
    assert (latest[one].status, latest[other].status) == (bl.Status.PAID, bl.Status.SENT)
    assert latest[one].actor == "Claire"


def test_a_note_longer_than_the_limit_records_nothing(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 1, starts_on=START, periods=2)
    ledger_ = ledger.SqlLedger(engine)
    written = run.run(ledger_, regulation, dt.date(2025, 4, 1), actor="test", now=NOW).written
    one = next(ln.id for ln in written if ln.id is not None)
    with pytest.raises(lines.NoteTooLong):
        lines.move(
            ledger_, [one], bl.Status.SENT, actor="C", now=NOW, note="x" * (lines.NOTE_MAX + 1)
        )
    assert ledger_.latest_events([one]) == {}
    kept = lines.move(ledger_, [one], bl.Status.SENT, actor="C", now=NOW, note="x" * lines.NOTE_MAX)
    assert kept.recorded == (one,)


def test_two_desks_marking_the_same_lines_at_once_record_each_move_once(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 2, starts_on=START, periods=2)
    ledger_ = ledger.SqlLedger(engine)
    written = run.run(ledger_, regulation, dt.date(2025, 4, 1), actor="test", now=NOW).written
    ids = [ln.id for ln in written if ln.id is not None]
    start = threading.Barrier(4)

    def desk(name: str) -> lines.Moved:
        start.wait()
        return lines.move(ledger_, ids, bl.Status.SENT, actor=name, now=NOW)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        moved = list(pool.map(desk, ["A", "B", "C", "D"]))
    recorded = [i for m in moved for i in m.recorded]
    assert sorted(recorded) == sorted(ids)  # every line sent once, by one desk or another
    ev = tables.billing_line_events.c
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(tables.billing_line_events))
        assert count.scalar_one() == len(ids)
        assert conn.execute(sa.select(ev.status).distinct()).scalars().all() == ["sent"]
