"""Set-up: accounts linked to team members, ARS receipt documents.

Revision ID: 0008_s15a_setup
Revises: 0007_s12_alert_pending
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_s15a_setup"
# After the current head. The account and the ARS declaration are referenced without foreign
# keys (as `api_tokens` references its scopes): their tables belong to other branches, which an
# upgrade may run after this one; the link and the document are written by code that checks
# them, in the transaction that writes the declaration.
down_revision = "0007_s12_alert_pending"
branch_labels = None
depends_on = None

_now = sa.func.current_timestamp()


def upgrade() -> None:
    op.create_table(
        "setup_account_members",
        sa.Column("account_id", sa.Integer, primary_key=True),
        sa.Column(
            "practitioner_id",
            sa.Integer,
            sa.ForeignKey("practitioners.id"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now),
        sa.UniqueConstraint("practitioner_id", name="uq_setup_account_members_practitioner_id"),
    )
    op.create_table(
        "setup_ars_documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "declaration_id",
            sa.Integer,
            nullable=False,
        ),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now),
        sa.UniqueConstraint("declaration_id", name="uq_setup_ars_documents_declaration_id"),
    )


def downgrade() -> None:
    op.drop_table("setup_ars_documents")
    op.drop_table("setup_account_members")
