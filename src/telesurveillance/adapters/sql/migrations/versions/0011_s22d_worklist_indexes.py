"""The worklist's latest prescription per prise en charge from one index seek (issue 18, point
3): `(prise_en_charge_id, prescribed_on, id)` answers "latest by date, then id" without a sort,
from the index alone.

Revision ID: 0011_s22d_worklist_indexes
Revises: 0010_s21g_worklist_counter
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0011_s22d_worklist_indexes"
down_revision = "0010_s21g_worklist_counter"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_prescriptions_latest", "prescriptions", ["prise_en_charge_id", "prescribed_on", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_prescriptions_latest", table_name="prescriptions")
