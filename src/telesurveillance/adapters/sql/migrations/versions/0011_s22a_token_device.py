"""A device token may name the Device it was issued for (issue 17): the sender of its readings.

Revision ID: 0011_s22a_token_device
Revises: 0005_security
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_s22a_token_device"
down_revision = "0005_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # no foreign key, as the token's patient: the security tables stand on their own branch
    op.add_column("api_tokens", sa.Column("device_id", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("api_tokens", "device_id")
