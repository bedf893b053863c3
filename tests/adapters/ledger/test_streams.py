"""Streams read from the core tables, and the one aggregation of days with data."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.billing import synthetic
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.domain import calendar
from telesurveillance.domain.billing import model
from telesurveillance.domain.measures import reading

#: The synthetic population's first start of monitoring.
START = dt.date(2025, 1, 6)


def _at_paris(day: dt.date, hour: int) -> int:
    return reading.millis(dt.datetime.combine(day, dt.time(hour), tzinfo=calendar.PARIS))


def test_days_are_counted_before_until_and_not_on_it(engine: sa.Engine) -> None:
    pop = synthetic.populate(engine, 1, starts_on=START, periods=0)
    pid = pop.patient_ids[0]
    until = dt.date(2025, 3, 1)
    with database.writing(engine) as conn:
        readings.store(
            conn,
            [
                reading.Reading(pid, 1, _at_paris(dt.date(2025, 2, 28), 23), 1.0),
                reading.Reading(pid, 1, _at_paris(until, 0), 1.0),
                reading.Reading(pid, 2, _at_paris(dt.date(2025, 2, 28), 8), 1.0),
            ],
        )
    with engine.connect() as conn:
        found = ledger_streams.days_with_data(conn, until)
    assert found == {pid: frozenset({dt.date(2025, 2, 28)})}


def test_a_stream_holds_what_the_engine_needs(engine: sa.Engine) -> None:
    pop = synthetic.populate(engine, 3, starts_on=START, periods=2)
    with engine.connect() as conn:
        streams = ledger_streams.load(conn, dt.date(2025, 6, 1))
    assert [s.patient_id for s in streams] == list(pop.patient_ids)
    first = streams[0]
    sit = first.situation
    assert sit.operateur.kind is model.OperateurKind.LIBERAL
    assert sit.operateur.ars_declared_on == dt.date(2023, 7, 1)
    assert sit.convention.signed_on == dt.date(2023, 7, 1)
    assert sit.dmn.certified_from == dt.date(2023, 7, 1)
    assert sit.dmn.certified_until == dt.date(2030, 1, 5)
    assert sit.patient.coverage is model.Coverage.ALD
    assert sit.prise_en_charge.prescription.months == 12
    assert sit.days_with_data
    assert min(sit.days_with_data) >= sit.prise_en_charge.starts_on
    assert first.facts.prescriber_rpps == first.facts.operateur_rpps == "10000000000"
    assert first.exploitant_id == pop.exploitant_id


def test_days_before_the_start_of_monitoring_do_not_count(engine: sa.Engine) -> None:
    pop = synthetic.populate(engine, 1, starts_on=START, periods=0)
    pid = pop.patient_ids[0]
    with engine.connect() as conn:
        start = conn.execute(sa.select(tables.prises_en_charge.c.starts_on)).scalar_one()
    with database.writing(engine) as conn:
        readings.store(
            conn,
            [
                reading.Reading(pid, 1, _at_paris(start - dt.timedelta(days=1), 12), 1.0),
                reading.Reading(pid, 1, _at_paris(start, 12), 1.0),
            ],
        )
    with engine.connect() as conn:
        streams = ledger_streams.load(conn, start + dt.timedelta(days=40))
    assert streams[0].situation.days_with_data == frozenset({start})


def test_a_prise_en_charge_without_prescription_is_never_covered(engine: sa.Engine) -> None:
    synthetic.populate(engine, 1, starts_on=START, periods=1)
    with database.writing(engine) as conn:
        conn.execute(sa.delete(tables.prescriptions))
    with engine.connect() as conn:
        streams = ledger_streams.load(conn, dt.date(2025, 6, 1))
    assert streams[0].situation.prise_en_charge.prescription.months == 0


def test_only_the_operateurs_streams_are_read(engine: sa.Engine) -> None:
    pop = synthetic.populate(engine, 4, starts_on=START, operateurs=2)
    with engine.connect() as conn:
        streams = ledger_streams.load(conn, dt.date(2025, 6, 1), pop.operateur_ids[1])
    assert {s.operateur_id for s in streams} == {pop.operateur_ids[1]}
    assert len(streams) == 2
