"""The evaluation outbox: every stored reading is judged exactly once, even when the evaluation
after its commit never ran (both backends)."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import evaluation, pending, tables
from telesurveillance.adapters.sql.core import readings
from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import pending as service
from tests.adapters.alerts import seed

R = reading.Reading
DAY = dt.date(2026, 2, 10)
NOW = seed.at(DAY, 12)
MINUTE = 60_000
SETS = ruleset.packaged()


def _write(engine: sa.Engine, batch: list[reading.Reading]) -> readings.Stored:
    """Store readings as every write path does, with no evaluation after the commit (as if
    the process died right after it)."""
    with database.writing(engine) as conn:
        return readings.store(conn, batch)


def _pending(engine: sa.Engine) -> list[tuple[int, int, int, int]]:
    p = tables.alert_pending.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(p.patient_id, p.kind, p.since_ts, p.until_ts).order_by(p.patient_id, p.kind)
        )
        return [tuple(int(v) for v in row) for row in rows]  # type: ignore[misc]


def _lungs(engine: sa.Engine) -> int:
    return seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")


def test_a_stored_reading_is_marked_pending_in_its_own_transaction(engine: sa.Engine) -> None:
    pid = _lungs(engine)
    t = seed.ts(NOW)
    _write(engine, [R(pid, seed.SPO2, t, 95.0), R(pid, seed.SPO2, t - MINUTE, 96.0)])
    assert _pending(engine) == [(pid, seed.SPO2, t - MINUTE, t)]


def test_a_rolled_back_write_leaves_no_mark(engine: sa.Engine) -> None:
    pid = _lungs(engine)
    try:
        with database.writing(engine) as conn:
            readings.store(conn, [R(pid, seed.SPO2, seed.ts(NOW), 80.0)])
            raise RuntimeError("crash before the commit")
    except RuntimeError:
        pass
    assert _pending(engine) == []


def test_a_retried_write_marks_nothing_new(engine: sa.Engine) -> None:
    pid = _lungs(engine)
    batch = [R(pid, seed.SPO2, seed.ts(NOW), 80.0)]
    _write(engine, batch)
    service.catch_up(evaluation.SqlAlerts(engine), SETS, NOW)
    assert _write(engine, batch).new == ()
    assert _pending(engine) == []


def test_a_reading_never_evaluated_is_judged_by_the_catch_up(engine: sa.Engine) -> None:
    pid = _lungs(engine)
    _write(engine, [R(pid, seed.SPO2, seed.ts(NOW), 80.0)])
    assert seed.alert_rows(engine) == []
    judged = service.catch_up(evaluation.SqlAlerts(engine), SETS, NOW)
    assert (judged.spans, judged.readings, len(judged.opened), judged.settled) == (1, 1, 1, 1)
    [row] = seed.alert_rows(engine)
    assert (row.patient_id, row.rule_id, row.first_ts) == (pid, "ir.spo2.basse", seed.ts(NOW))
    assert _pending(engine) == []


def test_judging_a_span_again_opens_nothing_twice(engine: sa.Engine) -> None:
    """A crash after the alerts' commit cannot happen without the span's removal (same
    transaction); but two evaluators may judge the same span: the second changes nothing."""
    pid = _lungs(engine)
    _write(engine, [R(pid, seed.SPO2, seed.ts(NOW) + i * MINUTE, 80.0) for i in range(3)])
    store = evaluation.SqlAlerts(engine)
    rows = store.pending()
    first = service.judge_pending(store, SETS, rows, NOW)
    again = service.judge_pending(store, SETS, rows, NOW)
    assert (len(first.opened), len(again.opened), len(again.updated)) == (1, 0, 0)
    [row] = seed.alert_rows(engine)
    assert row.count == 3


def test_judging_again_after_the_implicated_list_is_full_counts_nothing_twice(
    engine: sa.Engine,
) -> None:
    """An alert lists its 50 latest crossings; older ones judged again are not news."""
    pid = _lungs(engine)
    many = [R(pid, seed.SPO2, seed.ts(NOW) + i * MINUTE, 80.0) for i in range(60)]
    _write(engine, many)
    store = evaluation.SqlAlerts(engine)
    rows = store.pending()
    service.judge_pending(store, SETS, rows, NOW)
    service.judge_pending(store, SETS, rows, NOW)
    [row] = seed.alert_rows(engine)
    assert row.count == 60
    assert len(json.loads(row.implicated)) == 50


def test_a_write_landing_during_an_evaluation_is_not_lost(engine: sa.Engine) -> None:
    """Compare-and-set removal: the span read before a newer write is not removed with it."""
    pid = _lungs(engine)
    t = seed.ts(NOW)
    _write(engine, [R(pid, seed.SPO2, t, 95.0)])
    store = evaluation.SqlAlerts(engine)
    read_before = store.pending({(pid, seed.SPO2)})
    _write(engine, [R(pid, seed.SPO2, t - 10 * MINUTE, 80.0)])  # an older, abnormal reading
    judged = service.judge_pending(store, SETS, read_before, NOW)
    assert (judged.readings, judged.settled) == (1, 0)
    assert seed.alert_rows(engine) == []
    assert _pending(engine) == [(pid, seed.SPO2, t - 10 * MINUTE, t)]
    again = service.drain(store, SETS, {(pid, seed.SPO2)}, NOW)
    assert (again.readings, len(again.opened), again.settled) == (2, 1, 1)
    assert _pending(engine) == []


def test_a_removed_span_marked_again_is_not_taken_for_the_old_one(engine: sa.Engine) -> None:
    pid = _lungs(engine)
    t = seed.ts(NOW)
    _write(engine, [R(pid, seed.SPO2, t, 95.0)])
    store = evaluation.SqlAlerts(engine)
    stale = store.pending({(pid, seed.SPO2)})
    service.judge_pending(store, SETS, stale, NOW)  # judged and removed
    _write(engine, [R(pid, seed.SPO2, t + MINUTE, 80.0)])  # marked again, same key
    with database.writing(engine) as conn:
        assert pending.settle(conn, [span.pending for span in stale]) == 0
    assert _pending(engine) == [(pid, seed.SPO2, t + MINUTE, t + MINUTE)]


def test_the_catch_up_pages_through_every_span(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    patients = [seed.patient(engine, op, "insuffisance_respiratoire") for _ in range(5)]
    t = seed.ts(NOW)
    _write(engine, [R(p, kind, t, 80.0) for p in patients for kind in (seed.SPO2, 4)])
    judged = service.catch_up(evaluation.SqlAlerts(engine), SETS, NOW, page=3)
    assert (judged.spans, judged.settled, len(judged.opened)) == (10, 10, 5)
    assert _pending(engine) == []


def test_a_floor_settles_older_readings_without_judging_them(engine: sa.Engine) -> None:
    pid = _lungs(engine)
    old = seed.ts(NOW - dt.timedelta(days=30))
    recent = seed.ts(NOW - dt.timedelta(hours=1))
    _write(engine, [R(pid, seed.SPO2, old, 80.0), R(pid, seed.SPO2, recent, 81.0)])
    floor = NOW - dt.timedelta(days=8)
    judged = service.catch_up(evaluation.SqlAlerts(engine), SETS, NOW, floor=floor)
    assert (judged.readings, judged.settled) == (1, 1)
    [row] = seed.alert_rows(engine)
    assert row.first_ts == recent
    assert _pending(engine) == []


def test_a_reading_exactly_at_the_floor_is_judged(engine: sa.Engine) -> None:
    pid = _lungs(engine)
    floor = NOW - dt.timedelta(days=8)
    _write(
        engine,
        [R(pid, seed.SPO2, seed.ts(floor) - 1, 80.0), R(pid, seed.SPO2, seed.ts(floor), 80.0)],
    )
    judged = service.catch_up(evaluation.SqlAlerts(engine), SETS, NOW, floor=floor)
    assert judged.readings == 1
    assert [row.first_ts for row in seed.alert_rows(engine)] == [seed.ts(floor)]


def test_a_patient_without_rules_is_settled_with_nothing_opened(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        pid = conn.execute(
            sa.insert(schema.patients)
            .values(family="SYNTHETIQUE", birth_date=dt.date(1950, 1, 1))
            .returning(schema.patients.c.id)
        ).scalar_one()
    _write(engine, [R(pid, seed.SPO2, seed.ts(NOW), 80.0)])
    judged = service.catch_up(evaluation.SqlAlerts(engine), SETS, NOW)
    assert (judged.settled, judged.opened) == (1, ())
    assert _pending(engine) == []
