"""The patient page and its chart data (JSON, read by `static/dashboard/charts.js`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from telesurveillance.domain import calendar
from telesurveillance.services.alerts import lifecycle as acting
from telesurveillance.services.dashboard import notes
from telesurveillance.services.dashboard import patient as patient_view
from telesurveillance.web import context
from telesurveillance.web.dashboard import alert_actions, charts, diabetes, patients, render, tasks

router = APIRouter(prefix="/ui", tags=["dashboard"])


def _today(request: Request) -> tuple[dt.datetime, dt.date]:
    now = context.of(request).clock()
    return now, calendar.paris_day(now)


@router.get("/patients/{patient_id}", name="dashboard.patient", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: int, done: str | None = None) -> HTMLResponse:
    """Identity, monitoring, charts, alerts, observance gauge and billing verdicts."""
    services = context.of(request)
    _now, today = _today(request)
    found = patient_view.page(
        services.store.dashboard_patients, services.store.notes, services.regulation,
        patient_id, today,
    )  # fmt: skip
    if found is None:
        raise HTTPException(status_code=404, detail="no such patient")
    return render.page(
        request,
        "patient.html",
        synthetic=bool(found.file.patient.row["synthetic"]),
        patient=found.file.patient.row,
        cares=found.cares,
        alerts=list(found.file.alerts),
        moves=found.file.transitions,
        decisions=alert_actions.decisions(),
        done=done,
        today=today,
        notes=found.notes,
        note_max=notes.MAX_NOTE,
        diabetes=diabetes.panel(request, patient_id),
        tasks=tasks.panel(request, patient_id),  # issue 15c: follow-up tasks
        comment_max=acting.NOTE_MAX,
        draft=None,
        contact=patients.contact(request, patient_id),  # issue 15: contact block
    )


@router.post("/patients/{patient_id}/notes", name="dashboard.patient_note", include_in_schema=False)
def add_note(
    request: Request,
    patient_id: int,
    body: Annotated[str, Form(max_length=notes.MAX_NOTE)],
) -> RedirectResponse:
    """Append a note of the care team (author and role from the session); never edited."""
    services = context.of(request)
    who = request.state.principal
    try:
        notes.add(
            services.store.notes, patient_id, str(who.name), str(who.role), body, services.clock()
        )
        outcome = "note_saved"
    except notes.NoteError:
        outcome = "note_invalid"
    return RedirectResponse(f"/ui/patients/{patient_id}?done={outcome}#h-notes", 303)


@router.get("/patients/{patient_id}/series", name="dashboard.patient_series")
def patient_series(
    request: Request,
    patient_id: int,
    days: Annotated[int, Query(ge=1, le=184)] = 30,
) -> JSONResponse:
    """Measurements of the last `days` days per kind, with the alert thresholds to draw."""
    services = context.of(request)
    found = patient_view.chart(
        services.store.dashboard_patients, services.measures, patient_id, services.clock(), days
    )
    if found is None:
        raise HTTPException(status_code=404, detail="no such patient")
    lang = render.lang_of(request)
    out = [charts.series(s.kind, s.ts, s.values, s.thresholds, lang) for s in found]
    return JSONResponse({"patient": patient_id, "days": days, "series": out})
