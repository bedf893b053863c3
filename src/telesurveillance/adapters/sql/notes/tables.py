"""Clinical notes of the care team on a patient: appended, never edited (a correction is a new
note), each with its author and role, shown on the patient page."""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata
from telesurveillance.services.dashboard import notes

#: Longest note accepted (characters): the service's limit (`services.dashboard.notes`).
MAX_NOTE = notes.MAX_NOTE

patient_notes = sa.Table(
    "patient_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("body", sa.String(MAX_NOTE), nullable=False),
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
)
