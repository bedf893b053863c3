"""Reading and appending the care team's notes on a patient."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.notes import tables as tables_notes


class NoteError(ValueError):
    """A note we refuse (empty, too long, unknown patient)."""


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    patient_id: int
    author: str
    role: str
    body: str
    written_at: dt.datetime


def add(
    conn: sa.Connection, patient_id: int, author: str, role: str, body: str, at: dt.datetime
) -> int:
    """Append a note; refuses an empty or oversize text and an unknown patient."""
    text = body.strip()
    if not text:
        raise NoteError("a note cannot be empty")
    if len(text) > tables_notes.MAX_NOTE:
        raise NoteError(f"a note is at most {tables_notes.MAX_NOTE} characters")
    p = tables.patients.c
    if conn.execute(sa.select(p.id).where(p.id == patient_id)).first() is None:
        raise NoteError(f"no patient with id {patient_id}")
    n = tables_notes.patient_notes
    return int(
        conn.execute(
            sa.insert(n)
            .values(patient_id=patient_id, author=author, role=role, body=text, written_at=at)
            .returning(n.c.id)
        ).scalar_one()
    )


def for_patient(conn: sa.Connection, patient_id: int, limit: int = 100) -> list[Note]:
    """The patient's notes, newest first."""
    n = tables_notes.patient_notes.c
    rows = conn.execute(
        sa.select(n.id, n.patient_id, n.author, n.role, n.body, n.written_at)
        .where(n.patient_id == patient_id)
        .order_by(n.written_at.desc(), n.id.desc())
        .limit(limit)
    )
    return [Note(*row) for row in rows]
