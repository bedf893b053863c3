"""Sensor glucose of one patient over SQLAlchemy Core: implements
`services.glycaemia.ports.Store`. Reads by the readings' key (patient, kind, instant), so the
view stays fast whatever the store's size."""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import columns, patient


class SqlGlycaemia:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def indications(self, patient_id: int) -> set[str] | None:
        with self.engine.connect() as conn:
            return patient.indications(conn, patient_id)

    def has_readings(self, patient_id: int, kind_id: int) -> bool:
        last = tables.last_readings.c
        query = sa.select(last.patient_id).where(
            last.patient_id == patient_id, last.kind == kind_id
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def readings(
        self, patient_id: int, kind_id: int, since_ms: int, until_ms: int
    ) -> tuple[list[int], list[float]]:
        with self.engine.connect() as conn:
            found = columns.readings(conn, patient_id, since_ms, until_ms, kind_id)
        instants, values = found.get(kind_id, ([], []))
        return instants, values
