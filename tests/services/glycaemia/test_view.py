"""The diabetes view use case over the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance import composition
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.domain.measures import reading
from telesurveillance.services.glycaemia import view

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
SENSOR = 9


def _patient(engine: sa.Engine, indication: str | None) -> int:
    with database.writing(engine) as conn:
        patient = conn.execute(
            sa.insert(tables.patients).returning(tables.patients.c.id),
            {
                "family": "Martin",
                "given": "Léa",
                "birth_date": dt.date(1990, 5, 4),
                "synthetic": True,
                "coverage": "ald",
            },
        ).scalar_one()
        if indication is not None:
            op = conn.execute(
                sa.insert(tables.operateurs).returning(tables.operateurs.c.id),
                {"name": "Op", "kind": "liberal"},
            ).scalar_one()
            conn.execute(
                sa.insert(tables.prises_en_charge),
                {
                    "patient_id": patient,
                    "operateur_id": op,
                    "indication": indication,
                    "starts_on": dt.date(2026, 10, 1),
                },
            )
    return int(patient)


def _store(engine: sa.Engine, patient: int, values: list[tuple[dt.datetime, float]]) -> None:
    with database.writing(engine) as conn:
        readings.store(
            conn, [reading.Reading(patient, SENSOR, reading.millis(t), v) for t, v in values]
        )


def test_the_view_reads_the_last_14_days_of_sensor_glucose(engine: sa.Engine) -> None:
    store = composition.over(engine)
    patient = _patient(engine, "diabete")
    inside = [(NOW - dt.timedelta(minutes=5 * i), 100.0 + i % 200) for i in range(1, 4000)]
    outside = [(NOW - dt.timedelta(days=15), 300.0)]
    _store(engine, patient, inside + outside)
    found = view.diabetes_view(store.glycaemia, patient, NOW)
    assert found is not None
    assert found.report.count == len(inside)
    assert found.report.profile.name == "standard"
    assert max(found.report.shares, key=lambda s: s.percent).band.name == "tir"


def test_no_view_without_diabetes_and_an_error_for_an_unknown_patient(engine: sa.Engine) -> None:
    store = composition.over(engine)
    lonely = _patient(engine, None)
    _store(engine, lonely, [(NOW - dt.timedelta(hours=1), 120.0)])
    assert view.diabetes_view(store.glycaemia, lonely, NOW) is None
    with pytest.raises(view.NoSuchPatient):
        view.diabetes_view(store.glycaemia, 987_654, NOW)


def test_a_sensor_silent_in_the_window_gives_an_empty_view(engine: sa.Engine) -> None:
    store = composition.over(engine)
    patient = _patient(engine, "diabete_gestationnel")
    _store(engine, patient, [(NOW - dt.timedelta(days=30), 120.0)])
    found = view.diabetes_view(store.glycaemia, patient, NOW)
    assert found is not None
    assert found.empty
    assert found.report.profile.name == "grossesse"
