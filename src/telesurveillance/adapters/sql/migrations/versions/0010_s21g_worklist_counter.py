"""The worklist's current-period counter: days with data per patient and day, and one counter
row per prise en charge (adapters.sql.dashboard.counters); `patient_days` is filled from
`reading_days`, the counter rows are built by the first worklist read.

Revision ID: 0010_s21g_worklist_counter
Revises: 0010_s21g_shared_limits
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_s21g_worklist_counter"
down_revision = "0010_s21g_shared_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_days",
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "day", name="pk_patient_days"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO patient_days (patient_id, day, n) "
        "SELECT patient_id, day, sum(n) FROM reading_days GROUP BY patient_id, day"
    )
    op.create_table(
        "worklist_periods",
        sa.Column("prise_en_charge_id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("prise_en_charge_id", name="pk_worklist_periods"),
    )
    op.create_index("ix_worklist_periods_patient_id", "worklist_periods", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_worklist_periods_patient_id", table_name="worklist_periods")
    op.drop_table("worklist_periods")
    op.drop_table("patient_days")
