"""Alerts: JSON API for the dashboard worklist and FHIR `DetectedIssue` / `Flag` views.

Thin handlers: parse → one service call → render. Who acts is the authenticated principal
(`web.security.gate.principal`: its name and role) and nothing else; a request without one is
refused
(401), never guessed. Bodies carry no identity and no claim of delegation: they forbid unknown
fields, so `actor`, `role` or `cooperation` sent by a client is a 422 naming the field, and
whether a soignant may close medically is looked up by the service in the stored protocoles de
coopération. Domain refusals map once: `Refused` → 403, `Conflict` → 409 (the loser of two
concurrent changes), `NotFound` → 404, `ValueError` → 422. `include` also registers the ingest
listener that evaluates alert rules after each durable commit of new readings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from telesurveillance import composition
from telesurveillance.adapters.fhir import ids
from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import lifecycle, rules, ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import evaluation, pending, stats, views
from telesurveillance.services.alerts import lifecycle as acting
from telesurveillance.web import bodies, context, projection
from telesurveillance.web.alerts import evaluation as alerts_evaluation
from telesurveillance.web.alerts import fhir
from telesurveillance.web.security import gate

log = logging.getLogger(__name__)
# Every JSON answer is projected for the caller's role (web.projection, projection.yaml).
router = APIRouter(prefix="/api/alerts", tags=["alerts"], route_class=projection.ProjectedRoute)
fhir_router = APIRouter(prefix="/fhir", tags=["fhir"], route_class=projection.ProjectedRoute)
FHIR_JSON = "application/fhir+json"


class Acting(bodies.Body):
    note: str | None = Field(default=None, max_length=4000)


class Closing(Acting):
    decision: lifecycle.Decision


class Prefiltering(Acting):
    verdict: lifecycle.Verdict


class OverrideRequest(bodies.Body):
    value: float | None
    reason: str = Field(min_length=1, max_length=2000)


def _services(request: Request) -> context.Services:
    return context.of(request)


def _store(request: Request) -> composition.Store:
    return context.of(request).store


def _now(request: Request) -> dt.datetime:
    return _services(request).clock()


def _who(request: Request) -> tuple[str, lifecycle.Role]:
    """Who acts: the authenticated principal (401 without one), never the request's content."""
    principal = gate.principal(request)
    return principal.name, lifecycle.Role(principal.role.value)


def _error(error: Exception) -> JSONResponse:
    status = {
        lifecycle.Refused: 403,
        lifecycle.Conflict: 409,
        acting.NotFound: 404,
        acting.OverrideConflict: 409,
    }.get(type(error), 422)
    return JSONResponse({"detail": str(error)}, status_code=status)


def _plain(view: views.View) -> dict[str, Any]:
    return dataclasses.asdict(view)


@router.get("", name="alerts.list")
def list_alerts(
    request: Request,
    status: Annotated[list[lifecycle.Status] | None, Query()] = None,
    patient: int | None = None,
    operateur: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """The worklist: most severe first, then oldest first."""
    found = views.search(
        _store(request).alert_views,
        patient_id=patient,
        operateur_id=operateur,
        statuses=[s.value for s in status] if status else None,
        limit=limit,
        offset=offset,
    )
    return [_plain(v) for v in found]


@router.get("/stats", name="alerts.stats")
def alert_statistics(
    request: Request, start: dt.date, end: dt.date, operateur: int | None = None
) -> Response:
    try:
        lines = stats.statistics(_store(request).alert_stats, start, end, operateur)
    except ValueError as error:
        # 400, not 422: FastAPI documents 422 as its own list of validation errors.
        return JSONResponse({"detail": str(error)}, status_code=400)
    return JSONResponse([dataclasses.asdict(line) for line in lines])


def _rule(rule: rules.Rule) -> dict[str, Any]:
    return dataclasses.asdict(rule)


@router.get("/rules", name="alerts.rules")
def rule_sets(request: Request, patient: int | None = None) -> Any:
    """Every indication's default rules, or one patient's effective rules (overrides applied)."""
    sets = ruleset.packaged()
    if patient is None:
        return {i: [_rule(r) for r in rs] for i, rs in sorted(sets.by_indication.items())}
    today = calendar.paris_day(_now(request))
    found = evaluation.patient_rules(_store(request).alerts, sets, patient, today)
    return [{**_rule(rule), "overrides": dict(overrides)} for rule, overrides in found]


@router.get("/overrides/{patient_id}", name="alerts.overrides")
def override_history(request: Request, patient_id: int) -> list[dict[str, Any]]:
    history = acting.override_history(_store(request).alert_lifecycle, patient_id)
    return [dataclasses.asdict(e) for e in history]


@router.put("/overrides/{patient_id}/{rule_id}/{field}", name="alerts.override.set")
def set_override(
    request: Request, patient_id: int, rule_id: str, field: str, body: OverrideRequest
) -> Response:
    actor, _role = _who(request)
    try:
        entry = acting.set_override(
            _store(request).alert_lifecycle, ruleset.packaged(),
            patient_id, rule_id, field, body.value, actor, body.reason, _now(request),
        )  # fmt: skip
    except (acting.NotFound, acting.OverrideConflict, ValueError) as error:
        return _error(error)
    return JSONResponse(dataclasses.asdict(entry))


@router.get("/{alert_id}", name="alerts.read")
def read_alert(request: Request, alert_id: int) -> Response:
    view = views.get(_store(request).alert_views, alert_id)
    if view is None:
        return _error(acting.NotFound(f"no alert {alert_id}"))
    return JSONResponse(_plain(view))


def _act(request: Request, alert_id: int, body: Acting) -> Response:
    store = _store(request).alert_lifecycle
    actor, role = _who(request)
    try:
        if isinstance(body, Closing):
            acting.close(store, alert_id, actor, role, body.decision, _now(request), note=body.note)
        elif isinstance(body, Prefiltering):
            acting.prefilter(
                store, alert_id, actor, role, body.verdict, _now(request), body.note,
                as_exploitant=gate.principal(request).exploitant_id,
            )  # fmt: skip
        else:
            acting.acknowledge(store, alert_id, actor, role, _now(request), body.note)
    except (lifecycle.Refused, lifecycle.Conflict, acting.NotFound) as error:
        return _error(error)
    return read_alert(request, alert_id)


@router.post("/{alert_id}/acknowledge", name="alerts.acknowledge")
def acknowledge(request: Request, alert_id: int, body: Acting) -> Response:
    return _act(request, alert_id, body)


@router.post("/{alert_id}/close", name="alerts.close")
def close(request: Request, alert_id: int, body: Closing) -> Response:
    return _act(request, alert_id, body)


@router.post("/{alert_id}/prefilter", name="alerts.prefilter")
def prefilter(request: Request, alert_id: int, body: Prefiltering) -> Response:
    return _act(request, alert_id, body)


# --- FHIR views -------------------------------------------------------------------------------


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _not_found(what: str) -> JSONResponse:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "not-found", "diagnostics": what}],
    }
    return JSONResponse(outcome, status_code=404, media_type=FHIR_JSON)


def _read(request: Request, resource_id: str, resource_type: str) -> Response:
    view = None
    key = ids.decimal(resource_id)
    if key is not None:
        view = views.get(_store(request).alert_views, key)
    if view is None:
        return _not_found(f"{resource_type}/{resource_id} is not known")
    render = fhir.detected_issue if resource_type == "DetectedIssue" else fhir.flag
    return JSONResponse(render(_base(request), view), media_type=FHIR_JSON)


def _search(
    request: Request, resource_type: str, patient: str | None, status: str | None
) -> Response:
    mapping = fhir.ISSUE_STATUSES if resource_type == "DetectedIssue" else fhir.FLAG_STATUSES
    if status is not None and status not in mapping:
        return _not_found(f"unknown status {status!r} (known: {', '.join(mapping)})")
    patient_id = None
    if patient is not None:
        patient_id = ids.decimal(patient.rsplit("/", 1)[-1])
        if patient_id is None:
            return _not_found(f"patient {patient!r} is not a Patient of this server")
    found = views.search(
        _store(request).alert_views,
        patient_id=patient_id,
        statuses=None if status is None else mapping[status],
        limit=500,
    )
    if resource_type == "DetectedIssue":
        entries = [fhir.detected_issue(_base(request), v) for v in found]
        if status is not None:
            entries = [e for e in entries if e["status"] == status]
    else:
        entries = [fhir.flag(_base(request), v) for v in found]
    bundle = fhir.searchset(_base(request), resource_type, entries, _now(request))
    return JSONResponse(bundle, media_type=FHIR_JSON)


@fhir_router.get("/DetectedIssue", name="fhir.detectedissue.search")
def search_detected_issues(
    request: Request, patient: str | None = None, status: str | None = None
) -> Response:
    return _search(request, "DetectedIssue", patient, status)


@fhir_router.get("/DetectedIssue/{resource_id}", name="fhir.detectedissue.read")
def read_detected_issue(request: Request, resource_id: str) -> Response:
    return _read(request, resource_id, "DetectedIssue")


@fhir_router.get("/Flag", name="fhir.flag.search")
def search_flags(
    request: Request, patient: str | None = None, status: str | None = None
) -> Response:
    return _search(request, "Flag", patient, status)


@fhir_router.get("/Flag/{resource_id}", name="fhir.flag.read")
def read_flag(request: Request, resource_id: str) -> Response:
    return _read(request, resource_id, "Flag")


# --- composition ------------------------------------------------------------------------------


def listener(
    services: context.Services, evaluator: alerts_evaluation.Evaluator
) -> context.IngestListener:
    """Hand the (patient, kind) of each committed batch to the evaluation thread.

    The readings were marked pending in their own transaction; the thread judges them, records
    the alerts and removes the pending rows in one transaction, off the request path. Without
    the thread (an app not started, as under a bare test client) they are judged here, before
    the answer. If either fails, the rows stay pending for the catch-up."""
    store = services.store.alerts
    sets = ruleset.packaged()

    def on_ingest(new: Sequence[reading.Reading]) -> None:
        keys = {(r.patient_id, r.kind) for r in new}
        if evaluator.running:
            evaluator.submit(keys)
        else:
            pending.drain(store, sets, keys, services.clock())

    return on_ingest


def include(app: FastAPI) -> None:
    """Mount the alert routes (FHIR views ahead of the FHIR catch-all routes), the listener and
    the evaluation thread (judging and catching up; started and stopped with the app)."""
    app.include_router(router)
    before = len(app.router.routes)
    app.include_router(fhir_router)
    mine = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = mine
    services = context.of_app(app)
    evaluator = alerts_evaluation.Evaluator(
        services.store.alerts,
        ruleset.packaged(),
        services.clock,
        services.settings.alerts_catch_up_seconds,
    )
    services.after_ingest.append(listener(services, evaluator))
    app.state.alerts_evaluator = evaluator
    app.router.on_startup.append(evaluator.start)
    app.router.on_shutdown.append(evaluator.close)
