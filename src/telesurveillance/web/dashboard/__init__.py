"""The operator dashboard: worklist, patient page, alerts, billing and regulation pages.

Server-rendered HTML (Jinja2) with small static scripts (no inline script: the CSP forbids it);
chart data comes from JSON endpoints. `include(app)` mounts the pages and `/static`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"


def include(app: FastAPI) -> None:
    from telesurveillance.web.dashboard import admin, errors, pages, patient, setup, triage

    # issue 18: no worklist cache — the counters make it a read of a few indexed rows, and a
    # per-process cache would be stale in the other workers
    app.include_router(pages.router)
    app.include_router(patient.router)
    app.include_router(setup.router)  # issue 15: set-up pages
    app.include_router(admin.router)  # issue 15: administration pages
    app.include_router(triage.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
