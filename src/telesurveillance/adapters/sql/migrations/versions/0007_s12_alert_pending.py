"""The alert evaluation outbox: readings stored but not yet judged by the alert rules.

Revision ID: 0007_s12_alert_pending
Revises: 0002_alerts
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_s12_alert_pending"
down_revision = "0002_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_pending",
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("since_ts", sa.BigInteger, nullable=False),
        sa.Column("until_ts", sa.BigInteger, nullable=False),
        sa.Column("token", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "kind", name="pk_alert_pending"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("alert_pending")
