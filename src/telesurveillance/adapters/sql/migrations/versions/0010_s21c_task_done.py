"""Follow-up tasks marked done, with who (the account) and when.

Revision ID: 0010_s21c_task_done
Revises: 0003_pathway
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_s21c_task_done"
down_revision = "0003_pathway"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup_task_done",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "prise_en_charge_id",
            sa.Integer,
            sa.ForeignKey("prises_en_charge.id"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("done_at", sa.BigInteger, nullable=False),
        sa.Column("done_by", sa.String(200), nullable=False),
        sa.Column("done_by_account", sa.Integer, nullable=True),
        sa.Column("done_by_role", sa.String(32), nullable=False),
        sa.UniqueConstraint(
            "prise_en_charge_id", "kind", "due_on", name="uq_followup_task_done_task"
        ),
    )


def downgrade() -> None:
    op.drop_table("followup_task_done")
