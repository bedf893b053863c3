"""The shared `MetaData` and the core tables: organisations, people, devices, readings.

Each area adds its tables in its own module (`tables_<area>.py`) on this `metadata`, with its
own Alembic branch from the core revision. Identifiers are integer surrogate keys; FHIR ids are
their decimal strings.

Readings are stored compactly (≤ 24 bytes each on SQLite): `(patient_id, kind, ts)` is the
primary key of a WITHOUT ROWID table, so a reading is stored once, in key order, and a retry of
the same measurement (same patient, LOINC kind and instant) is a no-op. `ts` is the instant in
UTC milliseconds since the epoch; `value` is in the kind's canonical unit. `reading_days` counts
readings per patient, Paris day and kind, kept in the same transaction as every write: it is
what observance, billing and the no-data sweep read.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_now = sa.func.current_timestamp()


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now)


operateurs = sa.Table(
    "operateurs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    # domain.billing.model.OperateurKind
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("finess", sa.String(9), nullable=True),
    sa.Column("siret", sa.String(14), nullable=True),
    sa.Column("ars_declared_on", sa.Date, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _created(),
)

practitioners = sa.Table(
    "practitioners",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("rpps", sa.String(11), nullable=True, unique=True),
    sa.Column("family", sa.String(100), nullable=False),
    sa.Column("given", sa.String(100), nullable=False, server_default=""),
    # medecin, infirmier, ... (the profession; roles and permissions live with the accounts)
    sa.Column("profession", sa.String(32), nullable=False, server_default="medecin"),
    sa.Column("speciality", sa.String(100), nullable=True),
    sa.Column("operateur_id", sa.ForeignKey("operateurs.id"), nullable=True, index=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _created(),
)

exploitants = sa.Table(
    "exploitants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("siret", sa.String(14), nullable=True),
    _created(),
)

dmns = sa.Table(
    "dmns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("exploitant_id", sa.ForeignKey("exploitants.id"), nullable=False, index=True),
    # brand name as written on the prescription
    sa.Column("name", sa.String(200), nullable=False),
    # generic line of the LATM, when the DMN is listed under one
    sa.Column("generic_line", sa.String(200), nullable=True),
    sa.Column("latm_code", sa.String(16), nullable=True),
    sa.Column("indication", sa.String(48), nullable=True),
    # domain.regulation.records.Benefit (expected level of benefit)
    sa.Column("benefit", sa.String(32), nullable=False),
    sa.Column("certified_from", sa.Date, nullable=True),
    # last valid day of the ANS certificate (inclusive)
    sa.Column("certified_until", sa.Date, nullable=True),
    _created(),
)

conventions = sa.Table(
    "conventions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("operateur_id", sa.ForeignKey("operateurs.id"), nullable=False, index=True),
    sa.Column("exploitant_id", sa.ForeignKey("exploitants.id"), nullable=False, index=True),
    sa.Column("signed_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=True),
    # the exploitant may pre-filter artefactual alerts (recorded apart from medical decisions)
    sa.Column("prefilter_delegated", sa.Boolean, nullable=False, server_default=sa.false()),
    _created(),
)

patients = sa.Table(
    "patients",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # INS matricule (qualified identity) or billing NIR, compact 15 characters
    sa.Column("nir", sa.String(15), nullable=True, unique=True),
    # INS-NIR (qualified), NH (billing NIR only), INS-NIA (temporary)
    sa.Column("nir_type", sa.String(8), nullable=True),
    sa.Column("nir_system", sa.String(64), nullable=True),
    sa.Column("family", sa.String(100), nullable=False),
    sa.Column("given", sa.String(100), nullable=False, server_default=""),
    sa.Column("birth_date", sa.Date, nullable=False),
    # FHIR administrative gender: male, female, other, unknown
    sa.Column("sex", sa.String(8), nullable=False, server_default="unknown"),
    # standard, ald, regime_special
    sa.Column("coverage", sa.String(16), nullable=False, server_default="standard"),
    sa.Column("died_on", sa.Date, nullable=True),
    sa.Column("operateur_id", sa.ForeignKey("operateurs.id"), nullable=True, index=True),
    # demo and test patients are labelled as synthetic everywhere they are shown
    sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    _created(),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("identifier_system", sa.String(200), nullable=True),
    sa.Column("identifier_value", sa.String(200), nullable=True),
    sa.Column("serial", sa.String(100), nullable=True),
    sa.Column("dmn_id", sa.ForeignKey("dmns.id"), nullable=True, index=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=True, index=True),
    # FHIR Device.status: active, inactive, entered-in-error
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    _created(),
    sa.UniqueConstraint("identifier_system", "identifier_value", name="uq_devices_identifier"),
)

prises_en_charge = sa.Table(
    "prises_en_charge",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("operateur_id", sa.ForeignKey("operateurs.id"), nullable=False, index=True),
    # domain.regulation.catalogue.Indication
    sa.Column("indication", sa.String(48), nullable=False),
    sa.Column("dmn_id", sa.ForeignKey("dmns.id"), nullable=True),
    sa.Column("prescriber_id", sa.ForeignKey("practitioners.id"), nullable=True),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("pecan", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("consent_on", sa.Date, nullable=True),
    sa.Column("consent_method", sa.String(32), nullable=True),
    sa.Column("stopped_on", sa.Date, nullable=True),
    sa.Column("stop_reason", sa.String(32), nullable=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    _created(),
)

prescriptions = sa.Table(
    "prescriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), nullable=False, index=True
    ),
    sa.Column("prescriber_id", sa.ForeignKey("practitioners.id"), nullable=True),
    sa.Column("prescribed_on", sa.Date, nullable=False),
    sa.Column("months", sa.Integer, nullable=False),
    sa.Column("renewal", sa.Boolean, nullable=False, server_default=sa.false()),
    _created(),
)

majorations = sa.Table(
    "majorations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), nullable=False, index=True
    ),
    sa.Column("level", sa.SmallInteger, nullable=False),
    sa.Column("since", sa.Date, nullable=False),
    sa.Column("until", sa.Date, nullable=True),
    sa.Column("attested_by", sa.ForeignKey("practitioners.id"), nullable=True),
    sa.Column("criterion", sa.String(500), nullable=True),
    _created(),
)

readings = sa.Table(
    "readings",
    metadata,
    sa.Column("patient_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    # issue 17: who sent it (`reading_sources`), NULL when unknown (older rows, demo data).
    # No foreign key: it would cost a look-up per row on the bulk path; sources are never deleted.
    sa.Column("source_id", sa.Integer, nullable=True),
    sa.PrimaryKeyConstraint("patient_id", "kind", "ts", name="pk_readings"),
    sqlite_with_rowid=False,
)

#: issue 17: one row per distinct sender of readings (a route, device, token, file), named by
#: `key` (the same sender always finds the same row): what the readings' `source_id` points at.
reading_sources = sa.Table(
    "reading_sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(400), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("device_id", sa.ForeignKey("devices.id"), nullable=True),
    sa.Column("dmn_id", sa.ForeignKey("dmns.id"), nullable=True),
    # the API token, without a foreign key (the security tables are another branch)
    sa.Column("token_id", sa.Integer, nullable=True),
    # a file name, a Nightscout site: what names the sender beyond the above
    sa.Column("label", sa.String(300), nullable=True),
    _created(),
)

#: issue 17: readings per patient, Paris day and DMN of the sending device, for the readings
#: whose sender's device has a DMN (kept with `reading_days`): what billing reads to count only
#: the prise en charge's DMN data (a day's readings of unknown DMN are `reading_days` minus these).
reading_dmn_days = sa.Table(
    "reading_dmn_days",
    metadata,
    sa.Column("patient_id", sa.Integer, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("dmn_id", sa.Integer, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("patient_id", "day", "dmn_id", name="pk_reading_dmn_days"),
    sqlite_with_rowid=False,
)

#: issue 17: the identifiers the sender gave a reading (FHIR `Observation.identifier`, a
#: Nightscout `_id`, a file line), in the order given; written only when there are some.
reading_identifiers = sa.Table(
    "reading_identifiers",
    metadata,
    sa.Column("patient_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Column("n", sa.SmallInteger, nullable=False),
    sa.Column("system", sa.String(400), nullable=True),
    sa.Column("value", sa.String(400), nullable=False),
    sa.PrimaryKeyConstraint("patient_id", "kind", "ts", "n", name="pk_reading_identifiers"),
    sqlite_with_rowid=False,
)

reading_days = sa.Table(
    "reading_days",
    metadata,
    sa.Column("patient_id", sa.Integer, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("patient_id", "day", "kind", name="pk_reading_days"),
    sqlite_with_rowid=False,
)

last_readings = sa.Table(
    "last_readings",
    metadata,
    sa.Column("patient_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("patient_id", "kind", name="pk_last_readings"),
    sqlite_with_rowid=False,
)
