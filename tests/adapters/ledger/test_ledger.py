"""The ledger over both backends: a period is billed once, even by two runs at the same time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import ledger, synthetic, tables
from telesurveillance.domain.billing import engine as engine_
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import corrections
from telesurveillance.services.billing import ledger as bl
from telesurveillance.services.billing import run as billing_run

#: The synthetic population's first start of monitoring.
START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 9, 1)
NOW = dt.datetime(2025, 9, 2, 8, tzinfo=dt.UTC)


def _keys(lines: list[bl.Line]) -> list[tuple[int, int, str, int, str]]:
    return sorted(
        (ln.prise_en_charge_id, ln.period_number, ln.forfait.value, ln.generation, ln.entry.value)
        for ln in lines
    )


def test_a_second_run_bills_nothing_again(engine: sa.Engine, regulation: store.Regulation) -> None:
    synthetic.populate(engine, 12, starts_on=START)
    lines = ledger.SqlLedger(engine)
    first = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    second = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    assert first.written
    assert len(first.written) == 2 * first.billable_periods
    assert second.written == ()
    assert second.already_billed == len(first.written)
    assert len(lines.lines()) == len(first.written)


def test_the_store_refuses_the_same_period_and_forfait_twice(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 2, starts_on=START)
    lines = ledger.SqlLedger(engine)
    billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    with engine.connect() as conn:
        row = dict(conn.execute(sa.select(tables.billing_lines).limit(1)).mappings().one())
    del row["id"]
    with pytest.raises(sa.exc.IntegrityError), database.writing(engine) as conn:
        conn.execute(sa.insert(tables.billing_lines).values(**row))


def test_two_concurrent_runs_never_bill_a_period_twice(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 16, starts_on=START)
    barrier = threading.Barrier(2, timeout=30)

    class Racing(ledger.SqlLedger):
        def append(self, run: bl.Run, new: object) -> tuple[bl.Line, ...]:
            barrier.wait()  # both runs have planned the same lines before either writes
            return super().append(run, new)  # type: ignore[arg-type]

    outcomes: list[billing_run.Outcome] = []
    errors: list[BaseException] = []

    def one_run() -> None:
        own = database.create(engine.url.render_as_string(hide_password=False))
        try:
            outcomes.append(billing_run.run(Racing(own), regulation, UNTIL, actor="t", now=NOW))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    written = [ln for o in outcomes for ln in o.written]
    stored = ledger.SqlLedger(engine).lines()
    assert len(stored) == len(written) == 2 * outcomes[0].billable_periods
    assert len(set(_keys(stored))) == len(stored)
    assert sorted(len(o.written) for o in outcomes)[0] == 0


def test_a_reversal_cancels_a_charge_and_the_next_run_bills_it_again(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 2, starts_on=START)
    lines = ledger.SqlLedger(engine)
    first = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    charge = first.written[0]
    assert charge.id is not None
    reversed_ = corrections.reverse(
        lines, [charge.id], "saisie erronée", actor="comptable", now=NOW
    )
    assert len(reversed_) == 1
    reversal = reversed_[0]
    assert reversal.entry is bl.Entry.REVERSAL
    assert reversal.reverses_id == charge.id
    assert reversal.amount_cents == -(charge.amount_cents or 0)
    assert reversal.reason == "saisie erronée"
    again = corrections.reverse(lines, [charge.id], "twice", actor="x", now=NOW)
    assert again == ()
    rerun = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    assert [(ln.key, ln.generation) for ln in rerun.written] == [(charge.key, 2)]
    standing = bl.active_charges(lines.lines())
    assert standing[charge.key].generation == 2
    net = sum(ln.amount_cents or 0 for ln in lines.lines() if ln.key == charge.key)
    assert net == charge.amount_cents


def test_status_events_record_who_and_when(engine: sa.Engine, regulation: store.Regulation) -> None:
    synthetic.populate(engine, 1, starts_on=START)
    lines = ledger.SqlLedger(engine)
    written = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW).written
    ids = [ln.id for ln in written if ln.id is not None]
    assert lines.record(ids, bl.Status.SENT, "secrétariat", NOW, None) == len(ids)
    later = NOW + dt.timedelta(days=10)
    assert lines.record(ids[:1], bl.Status.REJECTED, "CPAM retour", later, "NIR") == 1
    assert lines.record([999_999], bl.Status.PAID, "x", later, None) == 0
    statuses = lines.statuses()
    assert statuses[ids[0]] is bl.Status.REJECTED
    assert all(statuses[i] is bl.Status.SENT for i in ids[1:])
    with engine.connect() as conn:
        ev = tables.billing_line_events.c
        who = conn.execute(sa.select(ev.actor).where(ev.line_id == ids[0]).order_by(ev.id))
        assert list(who.scalars()) == ["secrétariat", "CPAM retour"]


def test_lines_written_meanwhile_are_skipped_and_the_others_written_in_order(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 6, starts_on=START)
    lines = ledger.SqlLedger(engine)
    due, _, _ = billing_run.due_lines(regulation, lines.streams(UNTIL), UNTIL)
    first = lines.start("run", UNTIL, None, "autre", NOW)
    meanwhile = lines.append(first, due[1::3])
    second = lines.start("run", UNTIL, None, "test", NOW)
    written = lines.append(second, due)
    rest = [ln for i, ln in enumerate(due) if i % 3 != 1]
    assert _keys(list(written)) == _keys(rest)
    assert [ln.key for ln in written] == [ln.key for ln in rest]
    assert all(ln.run_id == second.id for ln in written)
    assert len(lines.lines()) == len(meanwhile) + len(rest) == len(due)


def test_a_second_run_judges_only_the_streams_with_a_period_not_billed_in_full(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 12, starts_on=START)
    lines = ledger.SqlLedger(engine)
    first = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    judgements = [engine_.judge(regulation, s.situation, UNTIL) for s in lines.streams(UNTIL)]
    partly = [j for j in judgements if not all(p.billable for p in j.periods)]
    assert 0 < len(partly) < len(judgements)
    second = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    assert second.judged_periods == sum(len(j.periods) for j in partly) < first.judged_periods
    assert second.written == ()
    later = UNTIL + dt.timedelta(days=30)
    third = billing_run.run(lines, regulation, later, actor="test", now=NOW)
    assert third.judged_periods == sum(
        len(engine_.judge(regulation, s.situation, later).periods) for s in lines.streams(later)
    )


def test_a_stream_is_judged_again_when_one_of_its_charges_was_reversed(
    engine: sa.Engine, regulation: store.Regulation
) -> None:
    synthetic.populate(engine, 1, starts_on=START)
    lines = ledger.SqlLedger(engine)
    first = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    assert billing_run.run(lines, regulation, UNTIL, actor="t", now=NOW).judged_periods == 0
    charge = first.written[-1]
    assert charge.id is not None
    corrections.reverse(lines, [charge.id], "saisie erronée", actor="comptable", now=NOW)
    again = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW)
    assert again.judged_periods == first.judged_periods
    assert [(ln.key, ln.generation) for ln in again.written] == [(charge.key, 2)]
