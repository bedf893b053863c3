"""Reading and appending the care team's notes on a patient (`services.dashboard.notes.Notes`)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.notes import tables as tables_notes
from telesurveillance.services.dashboard import notes


class SqlNotes:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(self, patient_id: int, author: str, role: str, body: str, at: dt.datetime) -> int:
        """Append a note in one write transaction with the check that the patient exists."""
        p = tables.patients.c
        n = tables_notes.patient_notes
        with database.writing(self.engine) as conn:
            if conn.execute(sa.select(p.id).where(p.id == patient_id)).first() is None:
                raise notes.NoteError(f"no patient with id {patient_id}")
            return int(
                conn.execute(
                    sa.insert(n)
                    .values(
                        patient_id=patient_id, author=author, role=role, body=body, written_at=at
                    )
                    .returning(n.c.id)
                ).scalar_one()
            )

    def for_patient(self, patient_id: int, limit: int) -> list[notes.Note]:
        n = tables_notes.patient_notes.c
        query = (
            sa.select(n.id, n.patient_id, n.author, n.role, n.body, n.written_at)
            .where(n.patient_id == patient_id)
            .order_by(n.written_at.desc(), n.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [notes.Note(*row) for row in conn.execute(query)]
