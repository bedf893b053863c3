"""The patient's own page (`/moi`): their entries, curves, recent readings and the team's
instructions. Role patient only (an account linked to one patient, or a session opened by an
access link); the patient is the principal's, never a parameter of the request: there is no
other patient to name here (`patient_self` in the permission table).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from telesurveillance.domain.measures import instants
from telesurveillance.services.dashboard import patient as patient_view
from telesurveillance.services.patient_space import entries, page
from telesurveillance.web import context
from telesurveillance.web.dashboard import charts, render
from telesurveillance.web.patient_space import views
from telesurveillance.web.security import gate

router = APIRouter(tags=["patient_space"])
HOME = "/moi"
MAX_FIELD = 40


def _patient(request: Request) -> int:
    """The principal's own patient; a principal without one has no page here (404)."""
    found = gate.principal(request).patient_id
    if found is None:
        raise HTTPException(status_code=404, detail="no patient page for this account")
    return found


@router.get(HOME, name="patient_space.home", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, done: str | None = None) -> HTMLResponse:
    """The patient's page: forms, curves, recent entries, the team's instructions."""
    patient_id = _patient(request)
    found = page.view(context.of(request).store.patient_space, patient_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such patient")
    shown = done if done in {f.value for f in entries.Form} else None
    return views.show(request, found, done=shown)


@router.post(
    f"{HOME}/saisie/{{form}}",
    name="patient_space.entry",
    response_class=HTMLResponse,
    include_in_schema=False,
)
async def enter(request: Request, form: str) -> Response:
    """One form (`weight`, `pressure`, `questionnaire`): stored through the ingestion service,
    or the page again with each refusal next to its field and what was typed kept."""
    patient_id = _patient(request)
    try:
        chosen = entries.Form(form)
    except ValueError:
        raise HTTPException(status_code=404, detail="no such form") from None
    raw = await request.form()
    fields = {k: str(v)[:MAX_FIELD] for k, v in raw.items() if isinstance(v, str)}
    services = context.of(request)
    store = services.store.patient_space
    questionnaire = None
    if chosen is entries.Form.QUESTIONNAIRE:
        questionnaire = page.questionnaire(store, patient_id, fields.get("questionnaire", ""))
    now = services.clock()
    window = instants.window(
        now, services.settings.clock_tolerance, services.regulation.common_law_start()
    )
    outcome = entries.enter(
        entries.Context(
            services.store.readings, store, gate.judge(request), services.measures, window, now,
            after_write=lambda new: views.notify(services, new),
        ),
        patient_id,
        gate.principal(request).subject,
        chosen,
        fields,
        questionnaire,
    )  # fmt: skip
    if outcome.ok:
        gate.written(request, [patient_id])
        return RedirectResponse(f"{HOME}?done={chosen.value}#h-{chosen.value}", 303)
    found = page.view(store, patient_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such patient")
    return views.show(
        request, found, failed=chosen.value, problems=outcome.problems, typed=fields, status=422
    )


@router.get(f"{HOME}/courbes", name="patient_space.series", include_in_schema=False)
def series(request: Request, days: Annotated[int, Query(ge=1, le=184)] = 30) -> JSONResponse:
    """The patient's own readings of the last `days` days per kind, as the charts draw them
    (without the team's alert thresholds: those are the team's)."""
    patient_id = _patient(request)
    services = context.of(request)
    found = patient_view.chart(
        services.store.dashboard_patients, services.measures, patient_id, services.clock(), days
    )
    if found is None:
        raise HTTPException(status_code=404, detail="no such patient")
    lang = render.lang_of(request)
    out = [charts.series(s.kind, s.ts, s.values, [], lang) for s in found]
    to = services.clock().timestamp()
    return JSONResponse({"days": days, "from": to - days * 86_400, "to": to, "series": out})
