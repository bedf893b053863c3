"""Billing ledger: runs, append-only billing lines (charges and reversals), status events.

Revision ID: 0004_ledger
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_ledger"
down_revision = "0001_core"
branch_labels = ("ledger",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("until", sa.Date, nullable=True),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "billing_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("billing_runs.id"), nullable=False),
        sa.Column("entry", sa.String(16), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("reverses_id", sa.Integer, sa.ForeignKey("billing_lines.id"), nullable=True),
        sa.Column(
            "prise_en_charge_id",
            sa.Integer,
            sa.ForeignKey("prises_en_charge.id"),
            nullable=False,
        ),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=False),
        sa.Column("exploitant_id", sa.Integer, sa.ForeignKey("exploitants.id"), nullable=True),
        sa.Column("dmn_id", sa.Integer, sa.ForeignKey("dmns.id"), nullable=True),
        sa.Column("indication", sa.String(48), nullable=False),
        sa.Column("period_number", sa.Integer, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_last_day", sa.Date, nullable=False),
        sa.Column("forfait", sa.String(16), nullable=False),
        sa.Column("code", sa.String(16), nullable=True),
        sa.Column("coefficient", sa.String(8), nullable=True),
        sa.Column("amount_cents", sa.BigInteger, nullable=True),
        sa.Column("amo_cents", sa.BigInteger, nullable=True),
        sa.Column("amc_cents", sa.BigInteger, nullable=True),
        sa.Column("days_with_data", sa.Integer, nullable=False),
        sa.Column("expected_days", sa.Integer, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "prise_en_charge_id",
            "period_number",
            "forfait",
            "generation",
            "entry",
            name="uq_billing_lines_once",
        ),
    )
    for column in ("run_id", "patient_id", "operateur_id", "exploitant_id"):
        op.create_index(f"ix_billing_lines_{column}", "billing_lines", [column])
    op.create_table(
        "billing_line_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("line_id", sa.Integer, sa.ForeignKey("billing_lines.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_billing_line_events_line_id", "billing_line_events", ["line_id"])


def downgrade() -> None:
    op.drop_table("billing_line_events")
    op.drop_table("billing_lines")
    op.drop_table("billing_runs")
