"""The patient page and its chart data (JSON, read by `static/dashboard/charts.js`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.dashboard import patient as dashboard_patient
from telesurveillance.adapters.sql.dashboard import worklist
from telesurveillance.adapters.sql.notes import store as notes
from telesurveillance.adapters.sql.notes import tables
from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import rules, ruleset
from telesurveillance.domain.billing import engine, verdict
from telesurveillance.domain.measures import reading
from telesurveillance.services.billing import forecast as billing_forecast
from telesurveillance.services.billing import ledger
from telesurveillance.web.dashboard import charts, diabetes, render

router = APIRouter(prefix="/ui", tags=["dashboard"])


@dataclass(frozen=True, slots=True)
class CareView:
    care: dashboard_patient.Care
    judged: verdict.Judgement
    forecast: billing_forecast.Forecast | None


def _services(request: Request) -> Any:
    return request.app.state.services


def _today(request: Request) -> tuple[dt.datetime, dt.date]:
    now: dt.datetime = _services(request).clock()
    return now, calendar.paris_day(now)


@router.get("/patients/{patient_id}", name="dashboard.patient", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: int, done: str | None = None) -> HTMLResponse:
    """Identity, monitoring, charts, alerts, observance gauge and billing verdicts."""
    services = _services(request)
    _now, today = _today(request)
    with services.engine.connect() as conn:
        found = dashboard_patient.load(conn, patient_id)
        if found is None:
            raise HTTPException(status_code=404, detail="no such patient")
        history = worklist.alert_history(conn, patient_id)
        moves = worklist.transitions(conn, [a["id"] for a in history])
        written = notes.for_patient(conn, patient_id)
    views = []
    for care in found.cares:
        stream = ledger.Stream(care.id, patient_id, 0, None, None, care.situation)
        outlooks = billing_forecast.forecast(services.regulation, [stream], today)
        views.append(
            CareView(
                care,
                engine.judge(services.regulation, care.situation, today),
                outlooks[0] if outlooks else None,
            )
        )
    return render.page(
        request,
        "patient.html",
        synthetic=bool(found.row["synthetic"]),
        patient=found.row,
        cares=views,
        alerts=history,
        moves=moves,
        decisions=_decisions(),
        done=done,
        today=today,
        notes=written,
        note_max=tables.MAX_NOTE,
        diabetes=diabetes.panel(request, patient_id),
    )


@router.post("/patients/{patient_id}/notes", name="dashboard.patient_note", include_in_schema=False)
def add_note(
    request: Request,
    patient_id: int,
    body: Annotated[str, Form(max_length=tables.MAX_NOTE)],
) -> RedirectResponse:
    """Append a note of the care team (author and role from the session); never edited."""
    services = _services(request)
    who = request.state.principal
    try:
        with database.writing(services.engine) as conn:
            notes.add(conn, patient_id, str(who.name), str(who.role), body, services.clock())
        outcome = "note_saved"
    except notes.NoteError:
        outcome = "note_invalid"
    return RedirectResponse(f"/ui/patients/{patient_id}?done={outcome}#h-notes", 303)


def _decisions() -> list[str]:
    from telesurveillance.domain.alerts import lifecycle

    return [d.value for d in lifecycle.Decision]


@router.get("/patients/{patient_id}/series", name="dashboard.patient_series")
def patient_series(
    request: Request,
    patient_id: int,
    days: Annotated[int, Query(ge=1, le=184)] = 30,
) -> JSONResponse:
    """Measurements of the last `days` days per kind, with the alert thresholds to draw."""
    services = _services(request)
    now = _services(request).clock()
    since = reading.millis(now) - days * 86_400_000
    with services.engine.connect() as conn:
        indications = dashboard_patient.indications(conn, patient_id)
        if indications is None:
            raise HTTPException(status_code=404, detail="no such patient")
        data = dashboard_patient.series(conn, patient_id, since)
    limits = _thresholds(indications)
    lang = render.lang_of(request)
    out = [
        charts.series(services.measures.by_id(k), ts, values, limits.get(k, []), lang)
        for k, (ts, values) in sorted(data.items())
    ]
    return JSONResponse({"patient": patient_id, "days": days, "series": out})


def _thresholds(indications: set[str]) -> dict[int, list[dict[str, Any]]]:
    """The threshold rules of the patient's indications, per measurement kind."""
    out: dict[int, list[dict[str, Any]]] = {}
    sets = ruleset.packaged()
    for indication in sorted(indications):
        for rule in sets.by_indication.get(indication, ()):
            if rule.kind is not rules.RuleKind.THRESHOLD or rule.kind_id is None:
                continue
            out.setdefault(rule.kind_id, []).append(
                {
                    "value": rule.threshold,
                    "compare": rule.compare.value,
                    "label": rule.label,
                    "severity": rule.severity.value,
                }
            )
    return out
