"""Care pathway side tables: what the core tables do not hold.

The core tables carry what billing reads (operateurs.ars_declared_on, conventions, dmns,
prises_en_charge with consent_on/consent_method/stopped_on/stop_reason, prescriptions,
majorations). Here: the history of ARS receipts, the consent's detail, the eligibility
attestation, therapeutic support sessions, protocoles de coopération, tasks marked done, and the
PDF documents issued (kept byte for byte with their SHA-256: what was printed is what was signed).
"""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata

_now = sa.func.current_timestamp()


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now)


pathway_ars_declarations = sa.Table(
    "pathway_ars_declarations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("operateur_id", sa.ForeignKey("operateurs.id"), nullable=False, index=True),
    # date of the récépissé (the automatic receipt of the démarches-simplifiées declaration)
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("reference", sa.String(100), nullable=True),
    _created(),
)

pathway_consents = sa.Table(
    "pathway_consents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), nullable=False, index=True
    ),
    sa.Column("given_on", sa.Date, nullable=False),
    # domain.pathway.consent.Method
    sa.Column("method", sa.String(32), nullable=False),
    sa.Column("collected_by", sa.ForeignKey("practitioners.id"), nullable=True),
    sa.Column("withdrawn_on", sa.Date, nullable=True),
    _created(),
)

pathway_eligibility = sa.Table(
    "pathway_eligibility",
    metadata,
    sa.Column("prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), primary_key=True),
    sa.Column("sous_population", sa.String(48), nullable=False),
    # JSON list of the listing's criteria the physician attested
    sa.Column("criteres", sa.Text, nullable=False),
    sa.Column("attested_by", sa.ForeignKey("practitioners.id"), nullable=True),
    sa.Column("attested_on", sa.Date, nullable=False),
)

pathway_support_sessions = sa.Table(
    "pathway_support_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), nullable=False, index=True
    ),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("given_by", sa.ForeignKey("practitioners.id"), nullable=False),
    sa.Column("topic", sa.String(200), nullable=False, server_default=""),
    _created(),
)

pathway_protocols = sa.Table(
    "pathway_protocols",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("operateur_id", sa.ForeignKey("operateurs.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    # domain.access.roles.Role of the delegates
    sa.Column("role", sa.String(32), nullable=False),
    # comma-separated domain.pathway.delegation.Task values
    sa.Column("tasks", sa.String(200), nullable=False),
    sa.Column("declared_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=True),
    _created(),
)

pathway_task_marks = sa.Table(
    "pathway_task_marks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), nullable=False),
    # domain.pathway.tasks.Kind
    sa.Column("kind", sa.String(48), nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("done_on", sa.Date, nullable=False),
    sa.Column("done_by", sa.ForeignKey("practitioners.id"), nullable=True),
    sa.UniqueConstraint("prise_en_charge_id", "kind", "due_on", name="uq_pathway_task_marks_task"),
)

pathway_documents = sa.Table(
    "pathway_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), nullable=False, index=True
    ),
    # ordonnance, fin_de_prise_en_charge
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("prescription_id", sa.ForeignKey("prescriptions.id"), nullable=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    _created(),
)

# --- patient identity (issue 15): contact, care network, history of changes ------------------

patient_contacts = sa.Table(
    "patient_contacts",
    metadata,
    sa.Column("patient_id", sa.ForeignKey("patients.id"), primary_key=True),
    sa.Column("phone", sa.String(20), nullable=True),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("address", sa.String(500), nullable=True),
    # the médecin traitant declared to the Assurance maladie (name, as the patient gives it)
    sa.Column("medecin_traitant", sa.String(200), nullable=True),
    # the aidant (caregiver) and the personne de confiance (CSP art. L1111-6), name and phone
    sa.Column("aidant", sa.String(200), nullable=True),
    sa.Column("aidant_phone", sa.String(20), nullable=True),
    sa.Column("confiance", sa.String(200), nullable=True),
    sa.Column("confiance_phone", sa.String(20), nullable=True),
)

patient_changes = sa.Table(
    "patient_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    # the principal's subject (`account/3`) and name, as the audit trail writes them
    sa.Column("changed_by", sa.String(200), nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("before", sa.String(500), nullable=True),
    sa.Column("after", sa.String(500), nullable=True),
)

pathway_consent_documents = sa.Table(
    "pathway_consent_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "prise_en_charge_id",
        # the conventional name would exceed PostgreSQL's 63 characters
        sa.ForeignKey("prises_en_charge.id", name="fk_pathway_consent_documents_pec"),
        nullable=False,
        index=True,
    ),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    _created(),
)

practitioner_contacts = sa.Table(
    "practitioner_contacts",
    metadata,
    sa.Column("practitioner_id", sa.ForeignKey("practitioners.id"), primary_key=True),
    # the professional address and phone printed on the prescriber's ordonnances
    sa.Column("address", sa.String(500), nullable=True),
    sa.Column("phone", sa.String(20), nullable=True),
)
