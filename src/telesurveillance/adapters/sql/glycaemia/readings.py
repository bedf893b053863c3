"""Sensor glucose of one patient over SQLAlchemy Core: implements
`services.glycaemia.ports.Store`. Reads by the readings' key (patient, kind, instant), so the
view stays fast whatever the store's size."""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables


class SqlGlycaemia:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def indications(self, patient_id: int) -> set[str] | None:
        pec, p = tables.prises_en_charge.c, tables.patients.c
        with self.engine.connect() as conn:
            if conn.execute(sa.select(p.id).where(p.id == patient_id)).first() is None:
                return None
            rows = conn.execute(sa.select(pec.indication).where(pec.patient_id == patient_id))
            return {str(r[0]) for r in rows}

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
        r = tables.readings.c
        query = (
            sa.select(r.ts, r.value)
            .where(r.patient_id == patient_id, r.kind == kind_id)
            .where(r.ts >= since_ms, r.ts < until_ms)
            .order_by(r.ts)
        )
        instants: list[int] = []
        values: list[float] = []
        with self.engine.connect() as conn:
            for ts, value in conn.execute(query):
                instants.append(int(ts))
                values.append(float(value))
        return instants, values
