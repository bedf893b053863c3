"""Tables of the set-up area: which log-in account is which team member, and the ARS receipt
documents (kept byte for byte with their SHA-256, as the care pathway keeps its PDFs)."""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata

_now = sa.func.current_timestamp()

setup_account_members = sa.Table(
    "setup_account_members",
    metadata,
    # one account is at most one member, and one member has at most one account; no foreign
    # key to `accounts` (another migration branch): `link_account` is given live account ids
    sa.Column("account_id", sa.Integer, primary_key=True),
    sa.Column("practitioner_id", sa.ForeignKey("practitioners.id"), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now),
)

setup_ars_documents = sa.Table(
    "setup_ars_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # the `pathway_ars_declarations` row written in the same transaction (no foreign key: the
    # pathway tables are another migration branch)
    sa.Column("declaration_id", sa.Integer, nullable=False, unique=True),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now),
)
