"""Patient identity: contact and care network (phone, e-mail, address, médecin traitant, aidant,
personne de confiance), the history of every change to a patient (who, when, what), and the
signed consent documents of the inclusions (archived with their SHA-256), and the prescribers'
professional address and phone printed on their ordonnances.

Revision ID: 0010_s21b_patient_contact
Revises: 0003_pathway
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_s21b_patient_contact"
# On the pathway branch (its newest revision): the tables hang off `patients`, created by the
# core revision this branch starts from; the core table itself is left as it is.
down_revision = "0003_pathway"
branch_labels = None
depends_on = None

_now = sa.func.current_timestamp()


def upgrade() -> None:
    op.create_table(
        "patient_contacts",
        sa.Column(
            "patient_id",
            sa.Integer,
            sa.ForeignKey("patients.id", name="fk_patient_contacts_patient_id_patients"),
            primary_key=True,
        ),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("address", sa.String(500), nullable=True),
        sa.Column("medecin_traitant", sa.String(200), nullable=True),
        sa.Column("aidant", sa.String(200), nullable=True),
        sa.Column("aidant_phone", sa.String(20), nullable=True),
        sa.Column("confiance", sa.String(200), nullable=True),
        sa.Column("confiance_phone", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("patient_id", name="pk_patient_contacts"),
    )
    op.create_table(
        "patient_changes",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column(
            "patient_id",
            sa.Integer,
            sa.ForeignKey("patients.id", name="fk_patient_changes_patient_id_patients"),
            nullable=False,
        ),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("before", sa.String(500), nullable=True),
        sa.Column("after", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_patient_changes"),
    )
    op.create_index("ix_patient_changes_patient_id", "patient_changes", ["patient_id"])
    op.create_table(
        "pathway_consent_documents",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column(
            "prise_en_charge_id",
            sa.Integer,
            # the conventional name would exceed PostgreSQL's 63 characters
            sa.ForeignKey("prises_en_charge.id", name="fk_pathway_consent_documents_pec"),
            nullable=False,
        ),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now),
        sa.PrimaryKeyConstraint("id", name="pk_pathway_consent_documents"),
    )
    op.create_index(
        "ix_pathway_consent_documents_prise_en_charge_id",
        "pathway_consent_documents",
        ["prise_en_charge_id"],
    )
    op.create_table(
        "practitioner_contacts",
        sa.Column(
            "practitioner_id",
            sa.Integer,
            sa.ForeignKey(
                "practitioners.id", name="fk_practitioner_contacts_practitioner_id_practitioners"
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(500), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("practitioner_id", name="pk_practitioner_contacts"),
    )


def downgrade() -> None:
    op.drop_table("practitioner_contacts")
    op.drop_index(
        "ix_pathway_consent_documents_prise_en_charge_id", table_name="pathway_consent_documents"
    )
    op.drop_table("pathway_consent_documents")
    op.drop_index("ix_patient_changes_patient_id", table_name="patient_changes")
    op.drop_table("patient_changes")
    op.drop_table("patient_contacts")
