"""Billing counts the prise en charge's DMN data (issue 17, `observance.donnees_comptees`).

A day counts when the patient's data that day came from a device of the prise en charge's
DMN, or has no known sender (counted, flagged for review); a day whose every reading came from
a device of another DMN does not count.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.billing import synthetic
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.domain import calendar
from telesurveillance.domain.billing import engine as billing_engine
from telesurveillance.domain.billing import explain, model, verdict
from telesurveillance.domain.billing import explain_format as fmt
from telesurveillance.domain.measures import reading
from telesurveillance.domain.regulation import store
from telesurveillance.services import ingest

START = dt.date(2025, 1, 6)


def _at_paris(day: dt.date, hour: int = 9) -> int:
    return reading.millis(dt.datetime.combine(day, dt.time(hour), tzinfo=calendar.PARIS))


def _setting(engine: sa.Engine) -> tuple[int, dt.date, int, int]:
    """One patient with no data yet: (patient, start, a device of its DMN, one of another)."""
    pop = synthetic.populate(engine, 1, starts_on=START, periods=3)
    pid = pop.patient_ids[0]
    with database.writing(engine) as conn:
        conn.execute(sa.delete(tables.reading_days))
        pec = conn.execute(sa.select(tables.prises_en_charge)).mappings().one()
        other = conn.execute(
            sa.insert(tables.dmns)
            .values(exploitant_id=pop.exploitant_id, name="Autre DMN", benefit="organisationnel")
            .returning(tables.dmns.c.id)
        ).scalar_one()
        devices = [
            conn.execute(
                sa.insert(tables.devices)
                .values(dmn_id=dmn, patient_id=pid)
                .returning(tables.devices.c.id)
            ).scalar_one()
            for dmn in (pec["dmn_id"], other)
        ]
    return pid, pec["starts_on"], int(devices[0]), int(devices[1])


def _send(
    engine: sa.Engine, pid: int, days: list[dt.date], device: int | None, hour: int = 9
) -> None:
    source = ingest.Source(ingest.SourceKind.FHIR, device_id=device)
    batch = [reading.Reading(pid, 1, _at_paris(day, hour), 80.0) for day in days]
    with database.writing(engine) as conn:
        readings.store_sent(conn, [(batch, ingest.Sent(source))])


def _first_period(
    engine: sa.Engine, start: dt.date
) -> tuple[verdict.PeriodVerdict, model.Situation]:
    with engine.connect() as conn:
        [stream] = ledger_streams.load(conn, start + dt.timedelta(days=40))
    judged = billing_engine.judge(store.packaged(), stream.situation, start + dt.timedelta(days=40))
    return judged.periods[0], stream.situation


def test_a_period_of_the_dmns_data_is_billable(engine: sa.Engine) -> None:
    pid, start, own, _other = _setting(engine)
    _send(engine, pid, [start + dt.timedelta(days=i) for i in range(30)], own)
    period, situation = _first_period(engine, start)
    assert period.billable
    assert period.days_with_data == 30
    assert situation.days_elsewhere == frozenset()


def test_the_same_days_from_another_dmns_device_do_not_count(engine: sa.Engine) -> None:
    pid, start, _own, other = _setting(engine)
    _send(engine, pid, [start + dt.timedelta(days=i) for i in range(30)], other)
    period, situation = _first_period(engine, start)
    assert not period.billable
    assert period.days_with_data == 0
    assert period.days_elsewhere == 30
    assert len(situation.days_elsewhere) == 30
    text = explain.period(period, fmt.Lang.FR).decision
    assert "30 jours de données d'un autre dispositif non comptés" in text[-1]
    english = explain.period(period, fmt.Lang.EN).decision
    assert "30 days of another device's data not counted" in english[-1]


def test_a_day_with_the_dmns_data_counts_even_with_another_devices_data(
    engine: sa.Engine,
) -> None:
    pid, start, own, other = _setting(engine)
    days = [start + dt.timedelta(days=i) for i in range(30)]
    _send(engine, pid, days, other)
    _send(engine, pid, days[:1], own, hour=20)  # the first day, the DMN's device too
    period, _situation = _first_period(engine, start)
    assert period.days_with_data == 1
    assert period.days_elsewhere == 29


def test_data_of_unknown_sender_counts_and_is_flagged_for_review(engine: sa.Engine) -> None:
    pid, start, _own, other = _setting(engine)
    _send(engine, pid, [start + dt.timedelta(days=i) for i in range(10)], other)
    with database.writing(engine) as conn:  # manual entries: no sender recorded
        readings.store(
            conn,
            [
                reading.Reading(pid, 1, _at_paris(start + dt.timedelta(days=i), 20), 80.0)
                for i in range(20)
            ],
        )
    period, _situation = _first_period(engine, start)
    assert period.days_with_data == 20
    assert period.days_unknown_source == 20
    assert period.days_elsewhere == 0
    text = explain.period(period, fmt.Lang.FR).decision
    assert "20 jours de données de source inconnue comptés (à revoir)" in text[-1]


def test_a_withdrawn_reading_leaves_its_dmn_counter(engine: sa.Engine) -> None:
    pid, start, own, _other = _setting(engine)
    _send(engine, pid, [start], own)
    with database.writing(engine) as conn:
        assert len(readings.dmn_days(conn, pid)) == 1
        assert readings.delete(conn, pid, 1, _at_paris(start))
        assert readings.dmn_days(conn, pid) == {}
