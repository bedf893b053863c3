"""Small builders for the alert tests: an opérateur, patients under an indication, readings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import evaluation, tables
from telesurveillance.adapters.sql.core import readings
from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.adapters.sql.pathway import store
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import evaluation as service
from telesurveillance.services.pathway import setup

POIDS, GLYCEMIE, SPO2 = 1, 8, 5
START = dt.date(2026, 1, 1)


def operateur(engine: sa.Engine, name: str = "Équipe IC") -> int:
    with database.writing(engine) as conn:
        return int(
            conn.execute(
                sa.insert(schema.operateurs)
                .values(name=name, kind="etablissement")
                .returning(schema.operateurs.c.id)
            ).scalar_one()
        )


def patient(
    engine: sa.Engine,
    operateur_id: int,
    indication: str = "insuffisance_cardiaque",
    starts_on: dt.date = START,
    stopped_on: dt.date | None = None,
    dmn_id: int | None = None,
) -> int:
    with database.writing(engine) as conn:
        patient_id = int(
            conn.execute(
                sa.insert(schema.patients)
                .values(family="SYNTHETIQUE", birth_date=dt.date(1950, 1, 1), synthetic=True)
                .returning(schema.patients.c.id)
            ).scalar_one()
        )
        conn.execute(
            sa.insert(schema.prises_en_charge).values(
                patient_id=patient_id,
                operateur_id=operateur_id,
                indication=indication,
                starts_on=starts_on,
                stopped_on=stopped_on,
                dmn_id=dmn_id,
            )
        )
    return patient_id


def ingest(
    engine: sa.Engine, batch: Sequence[reading.Reading], now: dt.datetime
) -> service.Recorded:
    """Store `batch` durably, then evaluate the new readings as the ingest listener does."""
    with database.writing(engine) as conn:
        stored = readings.store(conn, batch)
    return service.on_ingest(evaluation.SqlAlerts(engine), ruleset.packaged(), stored.new, now)


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def ts(moment: dt.datetime) -> int:
    return reading.millis(moment)


def alert_rows(engine: sa.Engine) -> list[sa.Row[tuple[object, ...]]]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(tables.alerts).order_by(tables.alerts.c.id)))


def dmn_with_convention(engine: sa.Engine, op: int, delegated: bool) -> int:
    """A DMN of a new exploitant under a convention with `op` (pre-filter delegated or not)."""
    with database.writing(engine) as conn:
        ex = conn.execute(
            sa.insert(schema.exploitants)
            .values(name="Fabricant")
            .returning(schema.exploitants.c.id)
        ).scalar_one()
        dmn = conn.execute(
            sa.insert(schema.dmns)
            .values(exploitant_id=ex, name="Oxymètre connecté", benefit="organisationnel")
            .returning(schema.dmns.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(schema.conventions).values(
                operateur_id=op, exploitant_id=ex, signed_on=dt.date(2025, 1, 1),
                prefilter_delegated=delegated,
            )
        )  # fmt: skip
    return int(dmn)


def protocol(
    engine: sa.Engine,
    op: int,
    declared_on: dt.date,
    ends_on: dt.date | None = None,
    tasks: Sequence[str] = ("cloture_medicale_alerte",),
) -> int:
    """A protocole de coopération of `op` delegating `tasks` to the soignants."""
    return setup.declare_protocol(
        store.SqlPathway(engine),
        op,
        "Protocole IDE télésurveillance",
        "soignant",
        list(tasks),
        declared_on,
        ends_on,
    )
