"""Corrections of stored readings: an amended value replaces the one at its key, an
entered-in-error reading is withdrawn; the day counters and the last-reading marker follow."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import corrections, readings, tables

Reading = readings.Reading


def _patient(conn: sa.Connection) -> int:
    return int(
        conn.execute(
            sa.insert(tables.patients)
            .values(family="TEST", given="Synthétique", birth_date=dt.date(1950, 1, 1))
            .returning(tables.patients.c.id)
        ).scalar_one()
    )


def _at(*args: int) -> int:
    return readings.millis(dt.datetime(*args, tzinfo=dt.UTC))


def _values(conn: sa.Connection, pid: int) -> dict[tuple[int, int], float]:
    r = tables.readings.c
    rows = conn.execute(sa.select(r.kind, r.ts, r.value).where(r.patient_id == pid))
    return {(int(k), int(t)): float(v) for k, t, v in rows}


def _pending(conn: sa.Connection) -> int:
    return int(conn.execute(sa.text("SELECT count(*) FROM alert_pending")).scalar_one())


def test_an_amended_value_replaces_the_reading_and_leaves_the_counters(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
        readings.store(conn, [Reading(pid, 1, _at(2026, 3, 1, 8), 80.0)])
        conn.execute(sa.text("DELETE FROM alert_pending"))
        replaced = corrections.replace(conn, [Reading(pid, 1, _at(2026, 3, 1, 8), 82.5)])
    assert replaced.changed == (Reading(pid, 1, _at(2026, 3, 1, 8), 82.5),)
    assert (replaced.new, replaced.unchanged) == ((), 0)
    with engine.connect() as conn:
        assert _values(conn, pid) == {(1, _at(2026, 3, 1, 8)): 82.5}
        assert readings.days(conn, pid) == {(dt.date(2026, 3, 1), 1): 1}
        assert readings.days(conn, pid) == readings.recount(conn, pid)
        assert _pending(conn) == 1  # the new value is judged by the alert rules


def test_the_same_value_again_changes_nothing(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
        readings.store(conn, [Reading(pid, 1, _at(2026, 3, 1, 8), 80.0)])
        replaced = corrections.replace(conn, [Reading(pid, 1, _at(2026, 3, 1, 8), 80.0)])
    assert (replaced.changed, replaced.new, replaced.unchanged) == ((), (), 1)


def test_an_amendment_of_a_reading_never_stored_stores_it_with_its_count(
    engine: sa.Engine,
) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
        replaced = corrections.replace(conn, [Reading(pid, 1, _at(2026, 3, 1, 23, 30), 80.0)])
    assert replaced.new == (Reading(pid, 1, _at(2026, 3, 1, 23, 30), 80.0),)
    with engine.connect() as conn:
        assert readings.days(conn, pid) == {(dt.date(2026, 3, 2), 1): 1}


def test_a_withdrawn_reading_leaves_its_day_and_the_last_reading_marker(
    engine: sa.Engine,
) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
        readings.store(
            conn,
            [Reading(pid, 1, _at(2026, 3, 1, 8), 80.0), Reading(pid, 1, _at(2026, 3, 2, 8), 81.0)],
        )
        removed = corrections.withdraw(conn, [Reading(pid, 1, _at(2026, 3, 2, 8), 0.0)])
    assert removed == (Reading(pid, 1, _at(2026, 3, 2, 8), 81.0),)
    with engine.connect() as conn:
        assert readings.days(conn, pid) == {(dt.date(2026, 3, 1), 1): 1}
        assert readings.days(conn, pid) == readings.recount(conn, pid)
        last = conn.execute(sa.select(tables.last_readings.c.ts)).scalar_one()
    assert last == _at(2026, 3, 1, 8)


def test_withdrawing_what_is_not_stored_removes_nothing(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
        readings.store(conn, [Reading(pid, 1, _at(2026, 3, 1, 8), 80.0)])
        assert corrections.withdraw(conn, [Reading(pid, 1, _at(2026, 3, 1, 9), 80.0)]) == ()
        assert corrections.withdraw(conn, [Reading(pid, 2, _at(2026, 3, 1, 8), 80.0)]) == ()
    with engine.connect() as conn:
        assert readings.days(conn, pid) == {(dt.date(2026, 3, 1), 1): 1}
