"""The patient's own space: access links, link sessions, patient entries, team instructions.

Revision ID: 0010_s21f_patient_space
Revises: 0001_core
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_s21f_patient_space"
down_revision = "0001_core"
branch_labels = ("patient_space",)
depends_on = None

_TS = sa.DateTime(timezone=True)


def _patient_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["patient_id"], ["patients.id"], name=f"fk_{table}_patient_id_patients"
    )


def upgrade() -> None:
    op.create_table(
        "patient_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("single_use", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=True),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_patient_links"),
        _patient_fk("patient_links"),
        sa.UniqueConstraint("digest", name="uq_patient_links_digest"),
    )
    op.create_index("ix_patient_links_patient_id", "patient_links", ["patient_id"])
    op.create_table(
        "patient_link_sessions",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("link_id", sa.Integer, nullable=False),
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_patient_link_sessions"),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["patient_links.id"],
            name="fk_patient_link_sessions_link_id_patient_links",
        ),
        _patient_fk("patient_link_sessions"),
    )
    op.create_index("ix_patient_link_sessions_link_id", "patient_link_sessions", ["link_id"])
    op.create_table(
        "patient_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("questionnaire", sa.String(80), nullable=True),
        sa.Column("entered_by", sa.String(200), nullable=False),
        sa.Column("entered_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patient_entries"),
        _patient_fk("patient_entries"),
    )
    op.create_index("ix_patient_entries_patient_id", "patient_entries", ["patient_id"])
    op.create_table(
        "patient_instructions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("body", sa.String(4000), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("written_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patient_instructions"),
        _patient_fk("patient_instructions"),
    )
    op.create_index("ix_patient_instructions_patient_id", "patient_instructions", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_patient_instructions_patient_id", table_name="patient_instructions")
    op.drop_table("patient_instructions")
    op.drop_index("ix_patient_entries_patient_id", table_name="patient_entries")
    op.drop_table("patient_entries")
    op.drop_index("ix_patient_link_sessions_link_id", table_name="patient_link_sessions")
    op.drop_table("patient_link_sessions")
    op.drop_index("ix_patient_links_patient_id", table_name="patient_links")
    op.drop_table("patient_links")
