"""A small store for the dashboard tests: one opérateur, one certified DMN, patients on demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)

AddPatient = Callable[..., int]


def clock() -> dt.datetime:
    return NOW


@pytest.fixture
def add_patient(engine: sa.Engine) -> AddPatient:
    """`add_patient(indication, starts_on, data_days, months=6, prescribed_on=None)`: a synthetic
    patient followed since `starts_on` with one weight reading at 08:00 Paris on each data day."""
    with database.writing(engine) as conn:
        op = conn.execute(
            sa.insert(tables.operateurs).returning(tables.operateurs.c.id),
            {"name": "Opérateur", "kind": "etablissement", "ars_declared_on": dt.date(2023, 7, 1)},
        ).scalar_one()
        conn.execute(
            sa.insert(tables.practitioners),
            {"family": "Test", "given": "Claire", "speciality": "cardiologue", "operateur_id": op},
        )
        ex = conn.execute(
            sa.insert(tables.exploitants).returning(tables.exploitants.c.id), {"name": "Expl"}
        ).scalar_one()
        dmn = conn.execute(
            sa.insert(tables.dmns).returning(tables.dmns.c.id),
            {
                "exploitant_id": ex,
                "name": "DMN test",
                "benefit": "organisationnel",
                "certified_from": dt.date(2023, 7, 1),
                "certified_until": dt.date(2028, 1, 1),
            },
        ).scalar_one()
        conn.execute(
            sa.insert(tables.conventions),
            {"operateur_id": op, "exploitant_id": ex, "signed_on": dt.date(2023, 6, 1)},
        )

    def add(
        indication: str,
        starts_on: dt.date,
        data_days: Iterable[dt.date],
        *,
        months: int = 6,
        prescribed_on: dt.date | None = None,
        family: str = "Durand",
    ) -> int:
        with database.writing(engine) as conn:
            patient = conn.execute(
                sa.insert(tables.patients).returning(tables.patients.c.id),
                {
                    "family": family,
                    "given": "Jeanne",
                    "birth_date": dt.date(1950, 3, 2),
                    "operateur_id": op,
                    "synthetic": True,
                    "coverage": "ald",
                },
            ).scalar_one()
            pec = conn.execute(
                sa.insert(tables.prises_en_charge).returning(tables.prises_en_charge.c.id),
                {
                    "patient_id": patient,
                    "operateur_id": op,
                    "indication": indication,
                    "dmn_id": dmn,
                    "starts_on": starts_on,
                },
            ).scalar_one()
            conn.execute(
                sa.insert(tables.prescriptions),
                {
                    "prise_en_charge_id": pec,
                    "prescribed_on": prescribed_on or starts_on,
                    "months": months,
                },
            )
            batch = [
                reading.Reading(
                    patient,
                    1,
                    reading.millis(dt.datetime.combine(d, dt.time(8), tzinfo=calendar.PARIS)),
                    70.0,
                )
                for d in data_days
            ]
            readings.store(conn, batch)
        return patient

    return add
