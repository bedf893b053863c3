"""Patient identity: contact and care network (phone, e-mail, address, médecin traitant, aidant,
personne de confiance) and the history of every change to a patient (who, when, what).

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


def downgrade() -> None:
    op.drop_index("ix_patient_changes_patient_id", table_name="patient_changes")
    op.drop_table("patient_changes")
    op.drop_table("patient_contacts")
