"""Core store: organisations, practitioners, exploitants, DMN, conventions, patients, devices,
prises en charge, prescriptions, majorations, readings and per-day counters.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = ("core",)
depends_on = None

_now = sa.func.current_timestamp()


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now)


def upgrade() -> None:
    op.create_table(
        "operateurs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("finess", sa.String(9), nullable=True),
        sa.Column("siret", sa.String(14), nullable=True),
        sa.Column("ars_declared_on", sa.Date, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _created(),
    )
    op.create_table(
        "practitioners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rpps", sa.String(11), nullable=True),
        sa.Column("family", sa.String(100), nullable=False),
        sa.Column("given", sa.String(100), nullable=False, server_default=""),
        sa.Column("profession", sa.String(32), nullable=False, server_default="medecin"),
        sa.Column("speciality", sa.String(100), nullable=True),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _created(),
        sa.UniqueConstraint("rpps", name="uq_practitioners_rpps"),
    )
    op.create_index("ix_practitioners_operateur_id", "practitioners", ["operateur_id"])
    op.create_table(
        "exploitants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("siret", sa.String(14), nullable=True),
        _created(),
    )
    op.create_table(
        "dmns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exploitant_id", sa.Integer, sa.ForeignKey("exploitants.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("generic_line", sa.String(200), nullable=True),
        sa.Column("latm_code", sa.String(16), nullable=True),
        sa.Column("indication", sa.String(48), nullable=True),
        sa.Column("benefit", sa.String(32), nullable=False),
        sa.Column("certified_from", sa.Date, nullable=True),
        sa.Column("certified_until", sa.Date, nullable=True),
        _created(),
    )
    op.create_index("ix_dmns_exploitant_id", "dmns", ["exploitant_id"])
    op.create_table(
        "conventions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=False),
        sa.Column("exploitant_id", sa.Integer, sa.ForeignKey("exploitants.id"), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=True),
        sa.Column("prefilter_delegated", sa.Boolean, nullable=False, server_default=sa.false()),
        _created(),
    )
    op.create_index("ix_conventions_operateur_id", "conventions", ["operateur_id"])
    op.create_index("ix_conventions_exploitant_id", "conventions", ["exploitant_id"])
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("nir", sa.String(15), nullable=True),
        sa.Column("nir_type", sa.String(8), nullable=True),
        sa.Column("nir_system", sa.String(64), nullable=True),
        sa.Column("family", sa.String(100), nullable=False),
        sa.Column("given", sa.String(100), nullable=False, server_default=""),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("sex", sa.String(8), nullable=False, server_default="unknown"),
        sa.Column("coverage", sa.String(16), nullable=False, server_default="standard"),
        sa.Column("died_on", sa.Date, nullable=True),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=True),
        sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _created(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now),
        sa.UniqueConstraint("nir", name="uq_patients_nir"),
    )
    op.create_index("ix_patients_operateur_id", "patients", ["operateur_id"])
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("identifier_system", sa.String(200), nullable=True),
        sa.Column("identifier_value", sa.String(200), nullable=True),
        sa.Column("serial", sa.String(100), nullable=True),
        sa.Column("dmn_id", sa.Integer, sa.ForeignKey("dmns.id"), nullable=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _created(),
        sa.UniqueConstraint("identifier_system", "identifier_value", name="uq_devices_identifier"),
    )
    op.create_index("ix_devices_dmn_id", "devices", ["dmn_id"])
    op.create_index("ix_devices_patient_id", "devices", ["patient_id"])
    op.create_table(
        "prises_en_charge",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=False),
        sa.Column("indication", sa.String(48), nullable=False),
        sa.Column("dmn_id", sa.Integer, sa.ForeignKey("dmns.id"), nullable=True),
        sa.Column("prescriber_id", sa.Integer, sa.ForeignKey("practitioners.id"), nullable=True),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("pecan", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("consent_on", sa.Date, nullable=True),
        sa.Column("consent_method", sa.String(32), nullable=True),
        sa.Column("stopped_on", sa.Date, nullable=True),
        sa.Column("stop_reason", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _created(),
    )
    op.create_index("ix_prises_en_charge_patient_id", "prises_en_charge", ["patient_id"])
    op.create_index("ix_prises_en_charge_operateur_id", "prises_en_charge", ["operateur_id"])
    op.create_table(
        "prescriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "prise_en_charge_id",
            sa.Integer,
            sa.ForeignKey("prises_en_charge.id"),
            nullable=False,
        ),
        sa.Column("prescriber_id", sa.Integer, sa.ForeignKey("practitioners.id"), nullable=True),
        sa.Column("prescribed_on", sa.Date, nullable=False),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("renewal", sa.Boolean, nullable=False, server_default=sa.false()),
        _created(),
    )
    op.create_index("ix_prescriptions_prise_en_charge_id", "prescriptions", ["prise_en_charge_id"])
    op.create_table(
        "majorations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "prise_en_charge_id",
            sa.Integer,
            sa.ForeignKey("prises_en_charge.id"),
            nullable=False,
        ),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("until", sa.Date, nullable=True),
        sa.Column("attested_by", sa.Integer, sa.ForeignKey("practitioners.id"), nullable=True),
        sa.Column("criterion", sa.String(500), nullable=True),
        _created(),
    )
    op.create_index("ix_majorations_prise_en_charge_id", "majorations", ["prise_en_charge_id"])
    op.create_table(
        "readings",
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "kind", "ts", name="pk_readings"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reading_days",
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "day", "kind", name="pk_reading_days"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "last_readings",
        sa.Column("patient_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "kind", name="pk_last_readings"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in (
        "last_readings",
        "reading_days",
        "readings",
        "majorations",
        "prescriptions",
        "prises_en_charge",
        "devices",
        "patients",
        "conventions",
        "dmns",
        "exploitants",
        "practitioners",
        "operateurs",
    ):
        op.drop_table(table)
