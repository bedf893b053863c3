"""The shared triage queue and the actions on alerts: acknowledge (one or several at once),
close with a decision and a comment, assign to a team member; filters by severity, indication,
assignee and age. Every change goes through `services.alerts.lifecycle` (compare-and-set)."""

from __future__ import annotations

import urllib.parse
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.domain.alerts import rules
from telesurveillance.domain.regulation import catalogue
from telesurveillance.services.alerts import lifecycle as acting
from telesurveillance.services.dashboard import triage
from telesurveillance.web import context
from telesurveillance.web.dashboard import alert_actions, render

router = APIRouter(tags=["dashboard"])
INDICATIONS = [i.value for i in catalogue.Indication]
SEVERITIES = [s.value for s in reversed(rules.Severity)]
QUEUE = "/ui/alerts"


def _filters(
    severity: str | None, indication: str | None, assignee: str | None, age: str | None
) -> triage.Filters:
    """The filters as chosen, an unknown value being no filter."""
    known_assignee = assignee in set(triage.Assigned) or (assignee or "").isdigit()
    return triage.Filters(
        severity=severity if severity in SEVERITIES else None,
        indication=indication if indication in INDICATIONS else None,
        assignee=assignee if known_assignee else None,
        age=age if age in triage.AGES else None,
    )


def _page(
    request: Request, filters: triage.Filters, status: int = 200, **extra: Any
) -> HTMLResponse:
    services = context.of(request)
    store = services.store
    found = triage.queue(
        store.dashboard_worklist, store.dashboard_directory, filters,
        me=alert_actions.me(request), now=services.clock(),
    )  # fmt: skip
    extra.setdefault("done", None)
    extra.setdefault("draft", None)
    extra.setdefault("counts", {})
    return render.page(
        request,
        "alerts.html",
        status,
        active="alerts",
        synthetic=found.synthetic,
        alerts=found.alerts,
        names=found.names,
        total=found.total,
        team=found.team,
        filters=filters,
        severities=SEVERITIES,
        indications=INDICATIONS,
        ages=list(triage.AGES),
        decisions=alert_actions.decisions(),
        comment_max=acting.NOTE_MAX,
        **extra,
    )


@router.get("/ui/alerts", name="dashboard.alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    done: Annotated[str | None, Query(max_length=16)] = None,
    severity: Annotated[str | None, Query(max_length=16)] = None,
    indication: Annotated[str | None, Query(max_length=48)] = None,
    assignee: Annotated[str | None, Query(max_length=12)] = None,
    age: Annotated[str | None, Query(max_length=8)] = None,
    acknowledged: Annotated[int, Query(ge=0, le=acting.BULK_MAX)] = 0,
    conflicts: Annotated[int, Query(ge=0, le=acting.BULK_MAX)] = 0,
    missing: Annotated[int, Query(ge=0, le=acting.BULK_MAX)] = 0,
) -> HTMLResponse:
    """The shared triage queue: every alert not closed, most severe first."""
    counts = {"acknowledged": acknowledged, "conflicts": conflicts, "missing": missing}
    chosen = _filters(severity, indication, assignee, age)
    return _page(request, chosen, done=done, counts=counts)


def _back(back: str, **params: object) -> RedirectResponse:
    """Back to the page the form was on (a dashboard page only), saying what happened."""
    target = urllib.parse.urlsplit(back if back.startswith("/ui/") else QUEUE)
    dropped = {"done", "acknowledged", "conflicts", "missing"}
    query = [(k, v) for k, v in urllib.parse.parse_qsl(target.query) if k not in dropped]
    query += [(k, str(v)) for k, v in params.items() if v]
    return RedirectResponse(f"{target.path}?{urllib.parse.urlencode(query)}", status_code=303)


@router.post("/ui/alerts/{alert_id}", name="dashboard.alert_action", include_in_schema=False)
def alert_action(
    request: Request,
    alert_id: int,
    action: Annotated[str, Form(max_length=16)],
    decision: Annotated[str | None, Form(max_length=24)] = None,
    note: Annotated[str | None, Form(max_length=2 * acting.NOTE_MAX)] = None,
    back: Annotated[str, Form(max_length=400)] = QUEUE,
) -> Response:
    """Acknowledge, or close with a decision (required) and a comment; a conflict says someone
    else acted first. A closure refused for its form comes back with the comment kept."""
    outcome = alert_actions.act(request, alert_id, action, decision, note)
    if outcome in ("no_decision", "too_long"):
        draft = {"id": alert_id, "note": note or "", "decision": decision or ""}
        return _page(request, triage.Filters(), 422, done=outcome, draft=draft)
    return _back(back, done=outcome)


@router.post("/ui/alerts/{alert_id}/assign", name="dashboard.alert_assign", include_in_schema=False)
def alert_assign(
    request: Request,
    alert_id: int,
    assignee: Annotated[str, Form(max_length=12)] = "",
    expected: Annotated[str, Form(max_length=12)] = "",
    back: Annotated[str, Form(max_length=400)] = QUEUE,
) -> Response:
    """Assign the alert to a team member ("": to nobody), from the assignee the user saw."""
    if not (assignee == "" or assignee.isdigit()) or not (expected == "" or expected.isdigit()):
        return _back(back, done="invalid")
    outcome = alert_actions.assign(
        request, alert_id, int(assignee) if assignee else None, int(expected) if expected else None
    )
    return _back(back, done=outcome)


@router.post("/ui/triage/acknowledge", name="dashboard.alerts_acknowledge", include_in_schema=False)
def acknowledge_many(
    request: Request,
    ids: Annotated[list[int] | None, Form()] = None,
    back: Annotated[str, Form(max_length=400)] = QUEUE,
) -> Response:
    """Acknowledge the alerts ticked in the queue, each by its own compare-and-set."""
    outcome = alert_actions.acknowledge_many(request, ids or [])
    if isinstance(outcome, str):
        return _back(back, done=outcome)
    return _back(
        back,
        done="bulk",
        acknowledged=outcome[acting.Outcome.DONE],
        conflicts=outcome[acting.Outcome.CONFLICT],
        missing=outcome[acting.Outcome.MISSING],
    )
