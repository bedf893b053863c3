"""Alert assignment: the team member an alert is assigned to, and the history of assignments.

Revision ID: 0008_s16a_alert_assignment
Revises: 0007_s12_alert_pending
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_s16a_alert_assignment"
down_revision = "0007_s12_alert_pending"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer, nullable=True))
    op.create_table(
        "alert_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("assignee_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_alert_assignments_alert_id", "alert_assignments", ["alert_id"])


def downgrade() -> None:
    op.drop_index("ix_alert_assignments_alert_id", table_name="alert_assignments")
    op.drop_table("alert_assignments")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("assignee_id")
