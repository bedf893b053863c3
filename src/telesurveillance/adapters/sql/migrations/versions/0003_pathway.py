"""Care pathway: ARS receipts, consents, eligibility, support sessions, protocols, tasks, documents.

Revision ID: 0003_pathway
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_pathway"
down_revision = "0001_core"
branch_labels = ("pathway",)
depends_on = None

_now = sa.func.current_timestamp()


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now)


def _pec() -> sa.Column[object]:
    return sa.Column(
        "prise_en_charge_id", sa.Integer, sa.ForeignKey("prises_en_charge.id"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "pathway_ars_declarations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("reference", sa.String(100), nullable=True),
        _created(),
    )
    op.create_index(
        "ix_pathway_ars_declarations_operateur_id", "pathway_ars_declarations", ["operateur_id"]
    )
    op.create_table(
        "pathway_consents",
        sa.Column("id", sa.Integer, primary_key=True),
        _pec(),
        sa.Column("given_on", sa.Date, nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("collected_by", sa.Integer, sa.ForeignKey("practitioners.id"), nullable=True),
        sa.Column("withdrawn_on", sa.Date, nullable=True),
        _created(),
    )
    op.create_index(
        "ix_pathway_consents_prise_en_charge_id", "pathway_consents", ["prise_en_charge_id"]
    )
    op.create_table(
        "pathway_eligibility",
        sa.Column(
            "prise_en_charge_id",
            sa.Integer,
            sa.ForeignKey("prises_en_charge.id"),
            primary_key=True,
        ),
        sa.Column("sous_population", sa.String(48), nullable=False),
        sa.Column("criteres", sa.Text, nullable=False),
        sa.Column("attested_by", sa.Integer, sa.ForeignKey("practitioners.id"), nullable=True),
        sa.Column("attested_on", sa.Date, nullable=False),
    )
    op.create_table(
        "pathway_support_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        _pec(),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("given_by", sa.Integer, sa.ForeignKey("practitioners.id"), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False, server_default=""),
        _created(),
    )
    op.create_index(
        "ix_pathway_support_sessions_prise_en_charge_id",
        "pathway_support_sessions",
        ["prise_en_charge_id"],
    )
    op.create_table(
        "pathway_protocols",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("tasks", sa.String(200), nullable=False),
        sa.Column("declared_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=True),
        _created(),
    )
    op.create_index("ix_pathway_protocols_operateur_id", "pathway_protocols", ["operateur_id"])
    op.create_table(
        "pathway_task_marks",
        sa.Column("id", sa.Integer, primary_key=True),
        _pec(),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.Column("done_by", sa.Integer, sa.ForeignKey("practitioners.id"), nullable=True),
        sa.UniqueConstraint(
            "prise_en_charge_id", "kind", "due_on", name="uq_pathway_task_marks_task"
        ),
    )
    op.create_table(
        "pathway_documents",
        sa.Column("id", sa.Integer, primary_key=True),
        _pec(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("prescription_id", sa.Integer, sa.ForeignKey("prescriptions.id"), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        _created(),
    )
    op.create_index(
        "ix_pathway_documents_prise_en_charge_id", "pathway_documents", ["prise_en_charge_id"]
    )


def downgrade() -> None:
    for index, table in (
        ("ix_pathway_documents_prise_en_charge_id", "pathway_documents"),
        ("ix_pathway_protocols_operateur_id", "pathway_protocols"),
        ("ix_pathway_support_sessions_prise_en_charge_id", "pathway_support_sessions"),
        ("ix_pathway_consents_prise_en_charge_id", "pathway_consents"),
        ("ix_pathway_ars_declarations_operateur_id", "pathway_ars_declarations"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "pathway_documents",
        "pathway_task_marks",
        "pathway_protocols",
        "pathway_support_sessions",
        "pathway_eligibility",
        "pathway_consents",
        "pathway_ars_declarations",
    ):
        op.drop_table(table)
