"""Worklist, alerts, billing and regulation pages, the language switch and the home redirect."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.adapters.fhir import ids
from telesurveillance.adapters.sql.billing import ledger
from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import worklist as dashboard_read
from telesurveillance.domain import calendar
from telesurveillance.domain.access import matrix
from telesurveillance.domain.billing import engine
from telesurveillance.domain.regulation import catalogue
from telesurveillance.services.billing import exploitant
from telesurveillance.web import jsonable, projection
from telesurveillance.web.dashboard import alert_actions, errors, menu, render, worklist
from telesurveillance.web.i18n import messages
from telesurveillance.web.security import gate

router = APIRouter(tags=["dashboard"])
INDICATIONS = [i.value for i in catalogue.Indication]
SECTIONS = ("alerts", "at_risk", "renewals")
#: Prises en charge per billing page (each shows every elapsed period with its reasons).
BILLING_PAGE = 25


def _services(request: Request) -> Any:
    return request.app.state.services


def _today(request: Request) -> dt.date:
    return calendar.paris_day(_services(request).clock())


@router.get("/", name="dashboard.home", include_in_schema=False)
def home(request: Request) -> Response:
    """Each role lands on its own home (`menu.HOMES`); a role with no page of its own gets the
    page that says so, with the log-out button (the route is allowed: the answer is a page,
    not a refusal)."""
    who = getattr(request.state, "principal", None)
    target = menu.home(who, matrix.packaged())
    if target is None:
        return errors.page(request, 200, message="error.no_page")
    return RedirectResponse(target, status_code=303)


@router.get("/ui/lang/{lang}", name="dashboard.language", include_in_schema=False)
def language(lang: str, next: str = "/ui/worklist") -> RedirectResponse:
    """Switch the interface language (a cookie), then go back to the page."""
    if lang not in messages.LANGUAGES:
        raise HTTPException(status_code=404, detail="unknown language")
    target = next if next.startswith("/") and not next.startswith("//") else "/ui/worklist"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(render.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/ui/worklist", name="dashboard.worklist", response_class=HTMLResponse)
def worklist_page(
    request: Request,
    indication: Annotated[str | None, Query(max_length=48)] = None,
    member: Annotated[str | None, Query(max_length=12)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """Patients to review first: open alerts, at risk of insufficient data, renewals due."""
    services = _services(request)
    today = _today(request)
    chosen = indication if indication in INDICATIONS else None
    member_id = ids.decimal(member) if member else None
    with services.engine.connect() as conn:
        found = worklist.build(
            conn,
            services.regulation,
            today,
            indication=chosen,
            member=member_id,
            cache=request.app.state.worklist_cache,
        )
        members = dashboard_read.prescribers(conn)
    return render.page(
        request,
        "worklist.html",
        synthetic=worklist.any_synthetic(found),
        work=found,
        limit=worklist.LIMIT,
        today=today,
        indications=INDICATIONS,
        members=members,
        chosen=chosen,
        member=member_id,
        section=status if status in SECTIONS else None,
        sections=SECTIONS,
    )


@router.get("/ui/alerts", name="dashboard.alerts", response_class=HTMLResponse)
def alerts_page(request: Request, done: str | None = None) -> HTMLResponse:
    """The shared triage queue: every alert not closed, most severe first."""
    services = _services(request)
    with services.engine.connect() as conn:
        alerts = dashboard_read.open_alerts(conn)
        names = dashboard_read.names(conn, {a.patient_id for a in alerts})
    alerts.sort(key=lambda a: (worklist.SEVERITY_RANK.get(a.severity, 9), -a.opened_at))
    return render.page(
        request,
        "alerts.html",
        synthetic=any(n[2] for n in names.values()),
        alerts=alerts,
        names=names,
        done=done,
        decisions=alert_actions.decisions(),
        opened=lambda ms: dt.datetime.fromtimestamp(ms / 1000, dt.UTC),
    )


@router.post("/ui/alerts/{alert_id}", name="dashboard.alert_action", include_in_schema=False)
def alert_action(
    request: Request,
    alert_id: int,
    action: Annotated[str, Form(max_length=16)],
    decision: Annotated[str | None, Form(max_length=24)] = None,
    back: Annotated[str, Form(max_length=200)] = "/ui/alerts",
) -> Response:
    """Acknowledge or close (with a decision); a conflict says someone else acted first."""
    outcome = alert_actions.act(request, alert_id, action, decision)
    target = urllib.parse.urlsplit(back if back.startswith("/ui/") else "/ui/alerts")
    query = [(k, v) for k, v in urllib.parse.parse_qsl(target.query) if k != "done"]
    query.append(("done", outcome))
    location = f"{target.path}?{urllib.parse.urlencode(query)}"
    return RedirectResponse(location, status_code=303)


@router.get("/ui/billing", name="dashboard.billing", response_class=HTMLResponse)
def billing_page(
    request: Request,
    patient: Annotated[int | None, Query(ge=1)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Per patient and period: billable or not and why, amounts (AMO / rest), series."""
    services = _services(request)
    today = _today(request)
    exploitant_id = gate.principal(request).exploitant_id
    with services.engine.connect() as conn:
        # an exploitant sees its own devices' patients only (projection.yaml, scopes)
        streams = projection.in_scope(
            request, ledger_streams.load(conn, today), lambda s: {"exploitant_id": s.exploitant_id}
        )
        names = dashboard_read.names(conn, {s.patient_id for s in streams})
        operateurs = list(conn.execute(sa.select(tables.operateurs.c.id, tables.operateurs.c.name)))
        exploitants = list(
            conn.execute(sa.select(tables.exploitants.c.id, tables.exploitants.c.name))
        )
    if patient is not None:
        streams = [s for s in streams if s.patient_id == patient]
    pages = max(1, -(-len(streams) // BILLING_PAGE))
    shown = streams[(page - 1) * BILLING_PAGE : page * BILLING_PAGE]
    judged = [(s, engine.judge(services.regulation, s.situation, today)) for s in shown]
    technique = None
    if exploitant_id is not None:
        technique = exploitant.for_exploitant(
            ledger.SqlLedger(services.engine), services.regulation, exploitant_id, today
        )
    return render.page(
        request,
        "billing.html",
        synthetic=any(n[2] for n in names.values()),
        judged=judged,
        names=names,
        today=today,
        page=page,
        pages=pages,
        patient=patient,
        operateurs=operateurs,
        exploitants=exploitants,
        exploitant_id=exploitant_id,
        technique=technique,
    )


@router.get("/ui/regulation", name="dashboard.regulation", response_class=HTMLResponse)
def regulation_page(
    request: Request, at: Annotated[dt.date | None, Query()] = None
) -> HTMLResponse:
    """Every regulatory parameter with its value in force on a chosen day and its citations."""
    services = _services(request)
    day = at or _today(request)
    rows = []
    for timeline in services.regulation:
        dated = timeline.get(day)
        rows.append((timeline, dated, _shown(dated.value) if dated is not None else None))
    return render.page(request, "regulation.html", rows=rows, at=day)


def _shown(value: Any) -> str:
    """A parameter's value as readable text (numbers and dates as is, records as JSON)."""
    if isinstance(value, str | int | float) or value is None:
        return str(value)
    return json.dumps(jsonable.plain(value), ensure_ascii=False, indent=1)
