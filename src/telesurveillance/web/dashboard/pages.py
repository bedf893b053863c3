"""Worklist, billing and regulation pages, the language switch and the home redirect."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.adapters.fhir import ids
from telesurveillance.domain import calendar
from telesurveillance.domain.access import matrix
from telesurveillance.domain.regulation import catalogue
from telesurveillance.services.billing import ledger
from telesurveillance.services.dashboard import billing, worklist
from telesurveillance.web import context, jsonable, projection
from telesurveillance.web.dashboard import errors, menu, render
from telesurveillance.web.i18n import messages
from telesurveillance.web.security import gate

router = APIRouter(tags=["dashboard"])
INDICATIONS = [i.value for i in catalogue.Indication]
SECTIONS = ("alerts", "at_risk", "renewals")


def _today(request: Request) -> dt.date:
    return calendar.paris_day(context.of(request).clock())


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
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Patients to review first: open alerts, at risk of insufficient data, renewals due; one
    section alone (`status`) is shown page by page (`page`, of `worklist.LIMIT` rows)."""
    services = context.of(request)
    today = _today(request)
    chosen = indication if indication in INDICATIONS else None
    member_id = ids.decimal(member) if member else None
    section = status if status in SECTIONS else None
    found = worklist.page(
        services.store.dashboard_worklist, services.regulation, today,
        indication=chosen, member=member_id, section=section, number=page,
    )  # fmt: skip
    return render.page(
        request,
        "worklist.html",
        synthetic=worklist.any_synthetic(found.work),
        work=found.work,
        limit=worklist.LIMIT,
        more=lambda section_, number: _more(chosen, member_id, section_, number),
        today=today,
        indications=INDICATIONS,
        members=found.members,
        chosen=chosen,
        member=member_id,
        section=section,
        sections=SECTIONS,
    )


def _more(indication: str | None, member: int | None, section: str, number: int) -> str:
    """Page `number` of one section alone, with the same filters."""
    query: dict[str, str] = {"status": section}
    if number > 1:
        query["page"] = str(number)
    if indication:
        query["indication"] = indication
    if member is not None:
        query["member"] = str(member)
    anchor = {"at_risk": "h-risk"}.get(section, f"h-{section}")
    return f"/ui/worklist?{urllib.parse.urlencode(query)}#{anchor}"


@router.get("/ui/billing", name="dashboard.billing", response_class=HTMLResponse)
def billing_page(
    request: Request,
    patient: Annotated[int | None, Query(ge=1)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Per patient and period: billable or not and why, amounts (AMO / rest), series."""
    services = context.of(request)
    today = _today(request)
    exploitant_id = gate.principal(request).exploitant_id

    def visible(streams: Sequence[ledger.Stream]) -> list[ledger.Stream]:
        # an exploitant sees its own devices' patients only (projection.yaml, scopes)
        return projection.in_scope(request, streams, lambda s: {"exploitant_id": s.exploitant_id})

    found = billing.page(
        services.store.ledger, services.store.dashboard_directory, services.regulation, today,
        visible=visible, patient=patient, number=page, exploitant_id=exploitant_id,
    )  # fmt: skip
    return render.page(
        request,
        "billing.html",
        synthetic=found.synthetic,
        judged=found.judged,
        names=found.names,
        today=today,
        page=found.page,
        pages=found.pages,
        patient=patient,
        operateurs=found.operateurs,
        exploitants=found.exploitants,
        exploitant_id=exploitant_id,
        technique=found.technique,
    )


@router.get("/ui/regulation", name="dashboard.regulation", response_class=HTMLResponse)
def regulation_page(
    request: Request, at: Annotated[dt.date | None, Query()] = None
) -> HTMLResponse:
    """Every regulatory parameter with its value in force on a chosen day and its citations."""
    services = context.of(request)
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
