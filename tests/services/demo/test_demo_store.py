"""The demo written into a store: counters right, synthetic, the demo marker guards the wipe."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database, demo
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.domain.regulation import store
from telesurveillance.services.demo import build, plan

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _build(engine: sa.Engine, seed: int, count: int) -> build.Built:
    papers = plan.papers(store.packaged(), TODAY)
    return demo.write(engine, seed, plan.plan(seed, count, TODAY), papers, TODAY, NOW)


def test_an_empty_store_may_be_wiped(engine: sa.Engine) -> None:
    assert demo.is_demo(engine)


def test_the_demo_writes_synthetic_patients_with_counters_equal_to_a_recount(
    engine: sa.Engine,
) -> None:
    built = _build(engine, 3, 14)
    assert len(built.patient_ids) == 14
    assert built.readings > 0
    with engine.connect() as conn:
        flags = conn.execute(sa.select(tables.patients.c.synthetic)).scalars().all()
        assert flags
        assert all(flags)
        for patient_id in built.patient_ids[:5]:
            assert readings.days(conn, patient_id) == readings.recount(conn, patient_id)
    assert demo.is_demo(engine)


def test_a_store_with_a_real_patient_is_not_a_demo(engine: sa.Engine) -> None:
    _build(engine, 3, 2)
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(tables.patients),
            {"family": "Réel", "birth_date": dt.date(1960, 1, 1), "synthetic": False},
        )
    assert not demo.is_demo(engine)


def test_a_store_without_the_demo_operateur_is_not_a_demo(engine: sa.Engine) -> None:
    with database.writing(engine) as conn:
        conn.execute(
            sa.insert(tables.patients),
            {"family": "Test", "birth_date": dt.date(1960, 1, 1), "synthetic": True},
        )
    assert not demo.is_demo(engine)


def test_the_same_seed_writes_the_same_readings(engine: sa.Engine) -> None:
    first = _build(engine, 5, 4)
    demo.wipe(engine)
    second = _build(engine, 5, 4)
    assert first.readings == second.readings
