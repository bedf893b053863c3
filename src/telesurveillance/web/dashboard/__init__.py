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
    from telesurveillance.web import patient_space as patient_space_pages
    from telesurveillance.web.dashboard import (
        admin,
        desk,
        errors,
        exploitant,
        inclusion,
        inclusion_care,
        pages,
        patient,
        patients,
        setup,
        triage,
        uploads,
    )
    from telesurveillance.web.dashboard import tasks as task_pages  # issue 15c
    from telesurveillance.web.dashboard import thresholds as threshold_pages  # issue 15c

    # issue 18: no worklist cache — the counters make it a read of a few indexed rows, and a
    # per-process cache would be stale in the other workers
    app.include_router(pages.router)
    app.include_router(patients.router)  # issue 15: patient register (before /patients/{id})
    app.include_router(patient.router)
    app.include_router(inclusion.router)  # issue 15: inclusion wizard, ordonnance
    app.include_router(inclusion_care.router)  # issue 15: renewal, stop, end-of-care report
    app.include_router(setup.router)  # issue 15: set-up pages
    app.include_router(admin.router)  # issue 15: administration pages
    app.include_router(triage.router)
    app.include_router(desk.router)  # issue 16: the billing desk
    app.include_router(exploitant.router)  # issue 16: the exploitant's workspace
    patient_space_pages.include(app)  # issue 17: the patient's own page and its access links
    app.include_router(threshold_pages.router)  # issue 15c: a patient's alert thresholds
    app.include_router(task_pages.router)  # issue 15c: follow-up tasks
    app.include_router(uploads.router)  # issue 17c: CGM export upload
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
