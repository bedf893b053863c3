"""Billing JSON API and file downloads over the ledger.

Thin handlers: parse → one service call → render. Dates come from the query or the app's clock
(Paris day of `services.clock()`); who acts (a run, a reversal, a status event) is the
authenticated principal, and a request without one is refused (401).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from telesurveillance.adapters.exports import fhir_chargeitem, tabular
from telesurveillance.domain import calendar
from telesurveillance.domain.regulation import records
from telesurveillance.services.billing import (
    audit,
    corrections,
    exploitant,
    export,
    forecast,
    lines,
    run,
)
from telesurveillance.services.billing import ledger as bl
from telesurveillance.web import bodies, context, jsonable, projection
from telesurveillance.web.security import gate

# Every JSON answer is projected for the caller's role (web.projection, projection.yaml); the
# files project their rows before rendering them (`_file`).
router = APIRouter(prefix="/api/billing", tags=["billing"], route_class=projection.ProjectedRoute)


class FileFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    FHIR = "fhir"


class RunRequest(bodies.Body):
    until: dt.date
    operateur_id: int | None = None


class ReversalRequest(bodies.Body):
    reason: str = Field(min_length=1, max_length=2000)


class StatusRequest(bodies.Body):
    line_ids: list[int] = Field(min_length=1)
    status: bl.Status
    note: str | None = None


def _services(request: Request) -> context.Services:
    return context.of(request)


def _store(request: Request) -> bl.Ledger:
    """The ledger port of the app's store (`composition.Store.ledger`)."""
    return context.of(request).store.ledger


def _now(request: Request) -> dt.datetime:
    return _services(request).clock()


def _today(request: Request, given: dt.date | None) -> dt.date:
    return given if given is not None else calendar.paris_day(_now(request))


def _actor(request: Request) -> str:
    return gate.principal(request).name


def _line(ln: bl.Line) -> dict[str, Any]:
    out: dict[str, Any] = jsonable.plain(ln)
    out["basis"] = json.loads(ln.basis)
    out["notes"] = json.loads(ln.notes)
    return out


@router.post("/runs", name="billing.run")
def post_run(body: RunRequest, request: Request) -> dict[str, Any]:
    services = _services(request)
    try:
        outcome = run.run(
            _store(request),
            services.regulation,
            body.until,
            operateur_id=body.operateur_id,
            actor=_actor(request),
            now=_now(request),
        )
    except bl.UnknownOperateur as error:
        raise HTTPException(404, str(error)) from None
    return {
        "run": jsonable.plain(outcome.run),
        "judged_periods": outcome.judged_periods,
        "billable_periods": outcome.billable_periods,
        "already_billed": outcome.already_billed,
        "written": [_line(ln) for ln in outcome.written],
    }


@router.get("/lines", name="billing.lines")
def get_lines(
    request: Request,
    operateur_id: int | None = None,
    exploitant_id: int | None = None,
    run_id: int | None = None,
) -> dict[str, Any]:
    found = lines.listed(
        _store(request), operateur_id=operateur_id, exploitant_id=exploitant_id, run_id=run_id
    )
    return {"lines": [_line(ln) for ln in found]}


@router.post("/lines/{line_id}/reversal", name="billing.reverse")
def post_reversal(line_id: int, body: ReversalRequest, request: Request) -> dict[str, Any]:
    done = corrections.reverse(
        _store(request), [line_id], body.reason, actor=_actor(request), now=_now(request)
    )
    if not done:
        raise HTTPException(409, "no standing charge with this id")
    return {"reversal": _line(done[0])}


@router.post("/lines/status", name="billing.mark")
def post_status(body: StatusRequest, request: Request) -> dict[str, Any]:
    count = lines.mark(
        _store(request),
        body.line_ids,
        body.status,
        actor=_actor(request),
        now=_now(request),
        note=body.note,
    )
    return {"recorded": count}


@router.get("/audit", name="billing.audit")
def get_audit(
    request: Request, today: dt.date | None = None, operateur_id: int | None = None
) -> dict[str, Any]:
    found = audit.run_audit(
        _store(request), _services(request).regulation, _today(request, today), operateur_id
    )
    return {
        "at_risk_cents": sum(f.at_risk_cents for f in found),
        "findings": [
            {
                "line": _line(f.line),
                "risk": f.risk.value,
                "due_cents": f.due_cents,
                "at_risk_cents": f.at_risk_cents,
                "reasons": jsonable.plain(f.reasons),
            }
            for f in found
        ],
    }


@router.get("/forecast", name="billing.forecast")
def get_forecast(
    request: Request, today: dt.date | None = None, operateur_id: int | None = None
) -> dict[str, Any]:
    found = forecast.worklist(
        _store(request), _services(request).regulation, _today(request, today), operateur_id
    )
    return {"at_risk": jsonable.plain(found)}


@router.get("/exploitants/{exploitant_id}", name="billing.exploitant")
def get_exploitant(
    exploitant_id: int,
    request: Request,
    as_of: dt.date | None = None,
    benefit: records.Benefit = records.Benefit.ORGANISATIONNEL,
    simulate: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    regulation = _services(request).regulation
    day = _today(request, as_of)
    found = exploitant.for_exploitant(_store(request), regulation, exploitant_id, day, benefit)
    out: dict[str, Any] = jsonable.plain(found)
    if simulate is not None:
        out["simulation"] = jsonable.plain(exploitant.simulate(regulation, benefit, simulate, day))
    return out


def _shown(request: Request, found: list[export.Row]) -> list[export.Row]:
    """The rows as the caller's role may see them (a column it may not see is left blank)."""
    shown = projection.rows(request, "billing_export_row", [dataclasses.asdict(r) for r in found])
    return [export.Row(**{c: row.get(c, "") for c in export.COLUMNS}) for row in shown]


def _file(request: Request, found: list[export.Row], fmt: FileFormat, stem: str) -> Response:
    rows = _shown(request, found)
    if fmt is FileFormat.CSV:
        return Response(
            tabular.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    if fmt is FileFormat.JSON:
        return Response(
            tabular.to_json(rows),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{stem}.json"'},
        )
    return JSONResponse(
        fhir_chargeitem.bundle(rows),
        media_type="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="{stem}.fhir.json"'},
    )


@router.get("/exports/operateurs/{operateur_id}", name="billing.export_operateur")
def get_operateur_file(
    operateur_id: int,
    request: Request,
    format: FileFormat = FileFormat.CSV,
    run_id: int | None = None,
    as_of: dt.date | None = None,
) -> Response:
    rows = export.for_operateur(
        _store(request),
        _services(request).regulation,
        operateur_id,
        _today(request, as_of),
        run_id,
    )
    return _file(request, rows, format, f"facturation-operateur-{operateur_id}")


@router.get("/exports/exploitants/{exploitant_id}", name="billing.export_exploitant")
def get_exploitant_file(
    exploitant_id: int,
    request: Request,
    format: FileFormat = FileFormat.CSV,
    run_id: int | None = None,
    as_of: dt.date | None = None,
) -> Response:
    rows = export.for_exploitant(
        _store(request),
        _services(request).regulation,
        exploitant_id,
        _today(request, as_of),
        run_id,
    )
    return _file(request, rows, format, f"forfait-technique-exploitant-{exploitant_id}")


def include(app: FastAPI) -> None:
    """Mount the billing API on `app`."""
    app.include_router(router)
