"""The reading write path: stored once, on the right Paris day, counters equal to a recount."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings, tables

UTC = dt.UTC


def _patient(conn: sa.Connection) -> int:
    return int(
        conn.execute(
            sa.insert(tables.patients)
            .values(family="TEST", given="Synthétique", birth_date=dt.date(1950, 1, 1))
            .returning(tables.patients.c.id)
        ).scalar_one()
    )


def _at(*args: int) -> int:
    return readings.millis(dt.datetime(*args, tzinfo=UTC))


def test_a_reading_at_23_30_utc_in_winter_counts_on_the_next_paris_day(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
        readings.store(conn, [readings.Reading(pid, 1, _at(2026, 1, 14, 23, 30), 80.0)])
    with engine.connect() as conn:
        assert readings.days(conn, pid) == {(dt.date(2026, 1, 15), 1): 1}


def test_a_reading_at_21_30_utc_in_summer_counts_on_the_next_paris_day(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
        readings.store(
            conn,
            [
                readings.Reading(pid, 1, _at(2026, 7, 14, 21, 59), 80.0),
                readings.Reading(pid, 1, _at(2026, 7, 14, 22, 0), 80.5),
            ],
        )
    with engine.connect() as conn:
        assert readings.days(conn, pid) == {
            (dt.date(2026, 7, 14), 1): 1,
            (dt.date(2026, 7, 15), 1): 1,
        }


def test_a_retried_batch_stores_nothing_twice(engine: sa.Engine) -> None:
    batch = [readings.Reading(0, 9, _at(2026, 3, 1, 8, m), 110.0 + m) for m in range(10)]
    with database.writing(engine) as conn:
        pid = _patient(conn)
        batch = [readings.Reading(pid, r.kind, r.ts, r.value) for r in batch]
        first = readings.store(conn, batch + batch[:3])
    with database.writing(engine) as conn:
        second = readings.store(conn, batch)
    assert (len(first.new), first.duplicates) == (10, 0)
    assert (len(second.new), second.duplicates) == (0, 10)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.readings)).scalar() == 10
        assert readings.days(conn, pid) == {(dt.date(2026, 3, 1), 9): 10}


def test_deleting_a_reading_decrements_its_day_and_moves_the_last_reading(
    engine: sa.Engine,
) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
        readings.store(
            conn,
            [
                readings.Reading(pid, 1, _at(2026, 3, 1, 8), 80.0),
                readings.Reading(pid, 1, _at(2026, 3, 2, 8), 81.0),
            ],
        )
        assert readings.delete(conn, pid, 1, _at(2026, 3, 2, 8))
        assert not readings.delete(conn, pid, 1, _at(2026, 3, 2, 8))
    with engine.connect() as conn:
        assert readings.days(conn, pid) == readings.recount(conn, pid)
        assert readings.days(conn, pid) == {(dt.date(2026, 3, 1), 1): 1}
        last = conn.execute(sa.select(tables.last_readings.c.ts)).scalar_one()
    assert last == _at(2026, 3, 1, 8)


_instants = st.integers(
    min_value=_at(2025, 10, 20), max_value=_at(2026, 4, 5)
)  # spans both DST changes of the winter


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.lists(st.tuples(st.integers(1, 3), _instants), min_size=1, max_size=40),
        min_size=1,
        max_size=4,
    )
)
def test_day_counters_always_equal_a_recount_from_raw_readings(
    engine: sa.Engine, batches: list[list[tuple[int, int]]]
) -> None:
    with database.writing(engine) as conn:
        pid = _patient(conn)
    for batch in batches:
        with database.writing(engine) as conn:
            readings.store(conn, [readings.Reading(pid, k, ts, 1.0) for k, ts in batch])
    with engine.connect() as conn:
        assert readings.days(conn, pid) == readings.recount(conn, pid)
