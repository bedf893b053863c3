"""The tables of the patient's space.

- `patient_links`: the access links a care team gives a patient; only the SHA-256 of the
  link's secret is kept (`digest`), with its expiry, whether it is single-use, its use and
  revocation, and who created it.
- `patient_link_sessions`: the sessions opened by a link (the cookie's SHA-256, the CSRF
  token of its forms, the link and patient it is limited to).
- `patient_entries`: what the patient entered on their page (each reading stored through the
  ingestion service, marked here as patient-entered, with the principal who entered it).
- `patient_instructions`: the team's instructions to the patient, append-only (the latest is
  shown; the earlier ones stay as the record of what the patient was told).
"""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata

_TS = sa.DateTime(timezone=True)

patient_links = sa.Table(
    "patient_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    sa.Column("single_use", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
    sa.Column("used_at", _TS, nullable=True),
    sa.Column("revoked_at", _TS, nullable=True),
)

patient_link_sessions = sa.Table(
    "patient_link_sessions",
    metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("link_id", sa.ForeignKey("patient_links.id"), nullable=False, index=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
)

patient_entries = sa.Table(
    "patient_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("questionnaire", sa.String(80), nullable=True),
    sa.Column("entered_by", sa.String(200), nullable=False),
    sa.Column("entered_at", _TS, nullable=False),
)

patient_instructions = sa.Table(
    "patient_instructions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("body", sa.String(4000), nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("written_at", _TS, nullable=False),
)
