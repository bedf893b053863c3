"""COPY for big batches of readings on PostgreSQL: the same rows, the same duplicates report
and the same counters as the multi-row INSERT, on either side of the size that switches."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import copy, readings, tables

MINUTE = 60_000
START = readings.millis(dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC))


@pytest.fixture
def pg(engine: sa.Engine) -> sa.Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    return engine


def _patients(engine: sa.Engine, n: int) -> list[int]:
    with database.writing(engine) as conn:
        return [
            int(
                conn.execute(
                    sa.insert(tables.patients)
                    .values(family="TEST", given="Synthétique", birth_date=dt.date(1950, 1, 1))
                    .returning(tables.patients.c.id)
                ).scalar_one()
            )
            for _ in range(n)
        ]


def _batch(patient: int, n: int, offset: int = 0) -> list[readings.Reading]:
    """`n` readings of two kinds across Paris midnight (two days), in no particular order."""
    made = [
        readings.Reading(patient, 1 + i % 2, START + i * MINUTE, 70.0 + i % 7)
        for i in range(offset, offset + n)
    ]
    return made[::2] + made[1::2]


def _state(engine: sa.Engine, patient: int) -> tuple[object, ...]:
    r = tables.readings.c
    last = tables.last_readings.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.kind, r.ts, r.value).where(r.patient_id == patient).order_by(r.kind, r.ts)
        ).all()
        lasts = conn.execute(
            sa.select(last.kind, last.ts).where(last.patient_id == patient).order_by(last.kind)
        ).all()
        return [tuple(x) for x in rows], readings.days(conn, patient), [tuple(x) for x in lasts]


def _write(
    engine: sa.Engine, patient: int, above: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[tuple[int, int, int]], int, list[tuple[int, int, int]], int]:
    """Store a first batch, then a second one overlapping it (with duplicates inside it too):
    the keys new each time (patient left out) and the duplicates reported."""
    monkeypatch.setattr(copy, "ABOVE", above)
    first = _batch(patient, 1_500)
    second = _batch(patient, 1_500, offset=1_000)
    second = second + second[:100]
    with database.writing(engine) as conn:
        one = readings.store(conn, first)
    with database.writing(engine) as conn:
        two = readings.store(conn, second)

    def keys(stored: readings.Stored) -> list[tuple[int, int, int]]:
        return [(r.kind, r.ts, int(r.value)) for r in stored.new]

    return keys(one), one.duplicates, keys(two), two.duplicates


def test_copy_and_insert_store_the_same_rows_and_report_the_same_duplicates(
    pg: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_insert, by_copy = _patients(pg, 2)
    inserted = _write(pg, by_insert, 10**9, monkeypatch)
    copied = _write(pg, by_copy, 1, monkeypatch)
    assert copied == inserted
    assert (len(copied[0]), copied[1], len(copied[2]), copied[3]) == (1_500, 0, 1_000, 500)
    assert _state(pg, by_copy) == _state(pg, by_insert)


def test_a_batch_one_row_below_the_threshold_inserts_and_one_at_it_copies(
    pg: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    (patient,) = _patients(pg, 1)
    used: list[int] = []
    original = copy.insert_new

    def spied(*args: object, **kwargs: object) -> list[tuple[object, ...]]:
        used.append(len(args[2]))  # type: ignore[arg-type]
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(copy, "insert_new", spied)
    with database.writing(pg) as conn:
        below = readings.store(conn, _batch(patient, copy.ABOVE - 1))
    assert used == []
    with database.writing(pg) as conn:
        at = readings.store(conn, _batch(patient, copy.ABOVE, offset=copy.ABOVE))
    assert used == [copy.ABOVE]
    assert (len(below.new), len(at.new)) == (copy.ABOVE - 1, copy.ABOVE)


def test_two_copies_in_one_transaction_each_use_a_fresh_staging_table(
    pg: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    (patient,) = _patients(pg, 1)
    monkeypatch.setattr(copy, "ABOVE", 1)
    with database.writing(pg) as conn:
        one = readings.store(conn, _batch(patient, 10))
        two = readings.store(conn, _batch(patient, 10, offset=5))
    assert (len(one.new), len(two.new), two.duplicates) == (10, 5, 5)


def test_the_columns_are_those_of_the_table_that_the_record_carries() -> None:
    reading = readings.Reading(1, 1, 0, 1.0)
    assert copy.columns(tables.readings, reading) == ["patient_id", "kind", "ts", "value"]
    with pytest.raises(ValueError, match="carries no column of readings"):
        copy.columns(tables.readings, object())


def test_a_copied_batch_records_its_sender_on_every_row(pg: sa.Engine) -> None:
    (patient,) = _patients(pg, 1)
    batch = _batch(patient, copy.ABOVE + 5)
    with database.writing(pg) as conn:
        sender = int(
            conn.execute(
                sa.insert(tables.reading_sources)
                .values(key="test:copy", kind="import", label="copie.ndjson")
                .returning(tables.reading_sources.c.id)
            ).scalar_one()
        )
        readings.store(conn, batch, sender)
    with pg.connect() as conn:
        senders = conn.execute(
            sa.select(tables.readings.c.source_id)
            .distinct()
            .where(tables.readings.c.patient_id == patient)
        ).scalars()
        assert list(senders) == [sender]
