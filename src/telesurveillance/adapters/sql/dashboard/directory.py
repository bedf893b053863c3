"""Names the dashboard prints beside ids (`services.dashboard.ports.Directory`)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables


def names(conn: sa.Connection, patient_ids: Collection[int]) -> dict[int, tuple[str, str, bool]]:
    """Family name, given name and synthetic flag of some patients."""
    if not patient_ids:
        return {}
    p = tables.patients.c
    rows = conn.execute(
        sa.select(p.id, p.family, p.given, p.synthetic).where(p.id.in_(sorted(patient_ids)))
    )
    return {r[0]: (r[1], r[2], bool(r[3])) for r in rows}


class SqlDirectory:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def names(self, patient_ids: Collection[int]) -> dict[int, tuple[str, str, bool]]:
        if not patient_ids:
            return {}
        with self.engine.connect() as conn:
            return names(conn, patient_ids)

    def operateurs(self) -> list[tuple[int, str]]:
        o = tables.operateurs.c
        with self.engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(sa.select(o.id, o.name))]

    def exploitants(self) -> list[tuple[int, str]]:
        e = tables.exploitants.c
        with self.engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(sa.select(e.id, e.name))]
