"""`create_app(settings)`: builds the FastAPI application; nothing happens at import time.

Each area contributes one router module; the list below is the whole surface of the app.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI

from telesurveillance import composition, config
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.web import clock, context
from telesurveillance.web.security import gate, hardening


def create_app(
    settings: config.Settings,
    *,
    engine: sa.Engine | None = None,
    now: clock.Clock | None = None,
    security_options: hardening.Options | None = None,
) -> FastAPI:
    """The application over the configured store (migrated to the current schema first).

    Every route sits behind the security gate (`web.security.gate`): authentication, the role ×
    route table, audit trail, hardening. The Swagger/ReDoc pages are off (they load scripts
    from a CDN and run inline script, which the CSP forbids); `/openapi.json` stays, for
    authenticated callers.
    """
    if engine is None:
        store = composition.open_store(settings.database_url)
    else:
        store = composition.over(engine)
        composition.upgrade(store)
    app = FastAPI(
        title="Télésurveillance médicale",
        version="0.1.0",
        description="FHIR R4 ingestion, alerts, care pathway and LATM billing.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = context.Services(
        settings=settings,
        store=store,
        regulation=regulation_store.packaged(),
        measures=measures.packaged(),
        clock=now if now is not None else clock.system,
    )
    gate.install(app, security_options)
    for include in _ROUTERS:
        include(app)
    return app


def _fhir(app: FastAPI) -> None:
    from telesurveillance.web.fhir import routes

    routes.include(app)


def _billing(app: FastAPI) -> None:
    from telesurveillance.web import billing

    billing.include(app)


def _dashboard(app: FastAPI) -> None:
    from telesurveillance.web import dashboard

    dashboard.include(app)


def _alerts(app: FastAPI) -> None:
    from telesurveillance.web.alerts import api

    api.include(app)


def _pathway(app: FastAPI) -> None:
    from telesurveillance.web.pathway import api as pathway

    pathway.include(app)


def _oidc(app: FastAPI) -> None:
    from telesurveillance.web.security import oidc

    oidc.include(app, app.state.services.settings)


def _nightscout(app: FastAPI) -> None:
    from telesurveillance.web.nightscout import routes as nightscout

    nightscout.include(app)


_ROUTERS = [_fhir, _billing, _dashboard, _alerts, _pathway, _oidc, _nightscout]
