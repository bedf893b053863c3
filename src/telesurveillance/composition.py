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
from telesurveillance.adapters.sql.alerts import evaluation as sql_alerts
from telesurveillance.adapters.sql.alerts import lifecycle as sql_lifecycle
from telesurveillance.adapters.sql.alerts import read as sql_alert_views
from telesurveillance.adapters.sql.alerts import stats as sql_stats
from telesurveillance.adapters.sql.billing import ledger as sql_ledger
from telesurveillance.adapters.sql.fhir import observations as sql_observations
from telesurveillance.adapters.sql.pathway import store as sql_pathway
from telesurveillance.adapters.sql.security import accounts as sql_accounts
from telesurveillance.adapters.sql.security import admin as sql_admin
from telesurveillance.adapters.sql.security import audit as sql_audit
from telesurveillance.adapters.sql.setup import registry as sql_setup
from telesurveillance.services import ingest
from telesurveillance.services.alerts import evaluation, lifecycle, stats
from telesurveillance.services.billing import ledger, scale_out
from telesurveillance.services.pathway import ports as pathway_ports
from telesurveillance.services.security import accounts, admin, audit
from telesurveillance.services.setup import ports as setup_ports


@dataclass(frozen=True, slots=True)
class Store:
    """The store as the services see it: one port (or a few) per area.

    `engine` stays here for the adapters this module builds and for `close`; handlers never
    read it.
    """

    engine: sa.Engine
    readings: ingest.Store
    alerts: evaluation.Store
    alert_lifecycle: lifecycle.Store
    alert_views: sql_alert_views.SqlAlertViews
    alert_stats: stats.Store
    # --- billing
    ledger: ledger.Ledger
    scale_out: scale_out.Snapshot
    # --- pathway
    pathway: pathway_ports.Store
    accounts: accounts.Store
    audit: audit.Log
    # --- setup and administration
    setup: setup_ports.Store
    admin: admin.Store


def over(engine: sa.Engine) -> Store:
    """The ports over an engine already migrated (the app's, a test's)."""
    return Store(
        engine=engine,
        readings=sql_observations.SqlStore(engine),
        alerts=sql_alerts.SqlAlerts(engine),
        alert_lifecycle=sql_lifecycle.SqlLifecycle(engine),
        alert_views=sql_alert_views.SqlAlertViews(engine),
        alert_stats=sql_stats.SqlBurden(engine),
        # --- billing
        ledger=sql_ledger.SqlLedger(engine),
        scale_out=parquet.ParquetSnapshot(engine),
        # --- pathway
        pathway=sql_pathway.SqlPathway(engine),
        accounts=sql_accounts.SqlAccounts(engine),
        audit=sql_audit.SqlAuditLog(engine),
        # --- setup and administration
        setup=sql_setup.SqlSetup(engine),
        admin=sql_admin.SqlAdmin(engine),
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


def close(store: Store) -> None:
    store.engine.dispose()
