"""The composition root: the one module that wires the SQL adapters to the services' ports.

The edges (`web`, `cli`) never import `adapters.sql` (an import-linter contract holds it): they
ask this module for a `Store` — the ports of every area, implemented over one SQLAlchemy engine
— and hand those ports to the service functions. Tests build the same `Store` over a test
engine (`over`), so the handlers run exactly as in production.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from telesurveillance.adapters.exports import parquet
from telesurveillance.adapters.sql import database, migrate
from telesurveillance.adapters.sql import demo as sql_demo
from telesurveillance.adapters.sql.alerts import evaluation as sql_alerts
from telesurveillance.adapters.sql.alerts import lifecycle as sql_lifecycle
from telesurveillance.adapters.sql.alerts import outbox as sql_outbox
from telesurveillance.adapters.sql.alerts import read as sql_alert_views
from telesurveillance.adapters.sql.alerts import stats as sql_stats
from telesurveillance.adapters.sql.billing import ledger as sql_ledger
from telesurveillance.adapters.sql.dashboard import directory as sql_directory
from telesurveillance.adapters.sql.dashboard import patient as sql_patients
from telesurveillance.adapters.sql.dashboard import worklist as sql_worklist
from telesurveillance.adapters.sql.fhir import group_commit as sql_group_commit
from telesurveillance.adapters.sql.fhir import observations as sql_observations
from telesurveillance.adapters.sql.fhir import store as sql_fhir
from telesurveillance.adapters.sql.followup import store as sql_followup
from telesurveillance.adapters.sql.glycaemia import readings as sql_glycaemia
from telesurveillance.adapters.sql.nightscout import entries as sql_nightscout_entries
from telesurveillance.adapters.sql.nightscout import sites as sql_nightscout_sites
from telesurveillance.adapters.sql.notes import store as sql_notes
from telesurveillance.adapters.sql.pathway import patients as sql_patient_register
from telesurveillance.adapters.sql.pathway import store as sql_pathway
from telesurveillance.adapters.sql.patient_space import store as sql_patient_space
from telesurveillance.adapters.sql.security import accounts as sql_accounts
from telesurveillance.adapters.sql.security import admin as sql_admin
from telesurveillance.adapters.sql.security import audit as sql_audit
from telesurveillance.adapters.sql.security import shared as sql_shared
from telesurveillance.adapters.sql.setup import registry as sql_setup
from telesurveillance.services import ingest
from telesurveillance.services.alerts import lifecycle, outbox, stats, views
from telesurveillance.services.alerts import ports as alerts_ports
from telesurveillance.services.billing import ledger, scale_out
from telesurveillance.services.dashboard import notes
from telesurveillance.services.dashboard import ports as dashboard_ports
from telesurveillance.services.demo import build as demo_build
from telesurveillance.services.fhir import ports as fhir_ports
from telesurveillance.services.followup import ports as followup_ports
from telesurveillance.services.glycaemia import ports as glycaemia_ports
from telesurveillance.services.nightscout import reads as nightscout_reads
from telesurveillance.services.nightscout import sites as nightscout_sites
from telesurveillance.services.pathway import patient_ports
from telesurveillance.services.pathway import ports as pathway_ports
from telesurveillance.services.patient_space import ports as patient_space_ports
from telesurveillance.services.security import accounts, admin, audit, shared
from telesurveillance.services.setup import ports as setup_ports


@dataclass(frozen=True, slots=True)
class Store:
    """The store as the services see it: one port (or a few) per area.

    `engine` stays here for the adapters this module builds and for `close`; handlers never
    read it.
    """

    engine: sa.Engine
    readings: ingest.CorrectingStore
    # --- alerts
    alerts: alerts_ports.Evaluation
    alert_lifecycle: lifecycle.Store
    alert_views: views.Views
    alert_stats: stats.Store
    alert_outbox: outbox.Outbox
    # --- dashboard
    dashboard_worklist: dashboard_ports.Worklist
    dashboard_patients: dashboard_ports.Patients
    dashboard_directory: dashboard_ports.Directory
    # --- notes
    notes: notes.Notes
    # --- demo
    demo: demo_build.Store
    # --- billing
    ledger: ledger.Ledger
    scale_out: scale_out.Snapshot
    # --- pathway
    pathway: pathway_ports.Store
    patients: patient_ports.Store
    patient_documents: patient_ports.Documents
    # --- security
    accounts: accounts.Store
    audit_trail: audit.Trail
    audit: audit.Log
    # --- several workers (issue 18): what they share
    rate_limits: shared.RateLimits
    oidc_pending: shared.PendingLogins
    # --- fhir
    fhir: fhir_ports.Store
    observations: fhir_ports.Observations
    fhir_writer: fhir_ports.Writer
    # --- nightscout (issue 17: the per-patient upload sites and what they read back)
    nightscout_sites: nightscout_sites.Store
    nightscout_entries: nightscout_reads.Store
    # --- glycaemia
    glycaemia: glycaemia_ports.Store
    # --- setup and administration
    setup: setup_ports.Store
    admin: admin.Store
    # --- patient_space (issue 17: the patient's own page, its access links and entries)
    patient_space: patient_space_ports.Store
    # --- followup (issue 15c: follow-up tasks marked done)
    followup: followup_ports.Store


def over(engine: sa.Engine) -> Store:
    """The ports over an engine already migrated (the app's, a test's)."""
    return Store(
        engine=engine,
        readings=sql_observations.SqlStore(engine),
        # --- alerts
        alerts=sql_alerts.SqlAlerts(engine),
        alert_lifecycle=sql_lifecycle.SqlLifecycle(engine),
        alert_views=sql_alert_views.SqlAlertViews(engine),
        alert_stats=sql_stats.SqlBurden(engine),
        alert_outbox=sql_outbox.SqlOutbox(engine),
        # --- dashboard
        dashboard_worklist=sql_worklist.SqlWorklist(engine),
        dashboard_patients=sql_patients.SqlPatients(engine),
        dashboard_directory=sql_directory.SqlDirectory(engine),
        # --- notes
        notes=sql_notes.SqlNotes(engine),
        # --- demo
        demo=sql_demo.SqlDemo(engine),
        # --- billing
        ledger=sql_ledger.SqlLedger(engine),
        scale_out=parquet.ParquetSnapshot(engine),
        # --- pathway
        pathway=sql_pathway.SqlPathway(engine),
        patients=sql_patient_register.SqlPatients(engine),
        patient_documents=sql_patient_register.SqlPatients(engine),
        # --- security
        accounts=sql_accounts.SqlAccounts(engine),
        audit_trail=sql_audit.GroupedAuditLog(engine),
        audit=sql_audit.SqlAuditLog(engine),
        # --- several workers (issue 18): in the database on PostgreSQL; SQLite serves one
        # process, whose limiter stays in memory (no disk flush per API request)
        rate_limits=(
            shared.MemoryRateLimits()
            if database.is_sqlite(engine)
            else sql_shared.SqlRateLimits(engine)
        ),
        oidc_pending=sql_shared.SqlPendingLogins(engine),
        # --- fhir
        fhir=sql_fhir.SqlRegistry(engine),
        observations=sql_observations.SqlObservations(engine),
        fhir_writer=sql_group_commit.GroupCommit(engine),
        # --- nightscout
        nightscout_sites=sql_nightscout_sites.SqlSites(engine),
        nightscout_entries=sql_nightscout_entries.SqlEntries(engine),
        # --- glycaemia
        glycaemia=sql_glycaemia.SqlGlycaemia(engine),
        # --- setup and administration
        setup=sql_setup.SqlSetup(engine),
        admin=sql_admin.SqlAdmin(engine),
        # --- patient_space
        patient_space=sql_patient_space.SqlPatientSpace(engine),
        # --- followup
        followup=sql_followup.SqlFollowup(engine),
    )


def open_store(database_url: str, *, upgrade: bool = True) -> Store:
    """The configured store (SQLite file or PostgreSQL), migrated to the current schema unless
    `upgrade` is False."""
    engine = database.create(database_url)
    if upgrade:
        migrate.upgrade(engine)
    return over(engine)


def upgrade(store: Store) -> None:
    """Bring the schema of `store` to every branch's head."""
    migrate.upgrade(store.engine)


# --- store


def revisions(store: Store) -> set[str]:
    """The schema revisions `store` is at (one per branch)."""
    return migrate.current(store.engine)


def location(store: Store) -> str:
    """Where `store` is, for messages (its URL without the password)."""
    return store.engine.url.render_as_string(hide_password=True)


def close(store: Store) -> None:
    store.engine.dispose()
