"""Shared by several API workers: per-token rate-limit buckets, pending OpenID Connect log-ins.

The root of the `scale` branch (issue 18): its tables name no other area's rows, so it hangs
from the core revision like every area, and each area's branch still goes down on its own.

Revision ID: 0010_s21g_shared_limits
Revises: 0001_core
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_s21g_shared_limits"
down_revision = "0001_core"
branch_labels = ("scale",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("bucket_key", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("bucket_key", name="pk_rate_buckets"),
    )
    op.create_table(
        "oidc_pending",
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(200), nullable=False),
        sa.Column("verifier", sa.String(200), nullable=False),
        sa.Column("next_url", sa.String(2000), nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name="pk_oidc_pending"),
    )
    op.create_index("ix_oidc_pending_expires", "oidc_pending", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_oidc_pending_expires", table_name="oidc_pending")
    op.drop_table("oidc_pending")
    op.drop_table("rate_buckets")
