"""The follow-up tasks (issue 15 point 5): the team's list (médecin, soignant) and each
patient's, with due dates from the pathway (therapeutic support, the 1- and 2-month
checkpoints, the end of a trial, the renewal); marking a task done records the principal and
the time, and the task stays listed as done."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from telesurveillance.domain import calendar
from telesurveillance.domain.access import roles
from telesurveillance.domain.measures import reading
from telesurveillance.services.followup import board
from telesurveillance.services.followup import ports as followup_ports
from telesurveillance.services.pathway import care
from telesurveillance.web import context
from telesurveillance.web.dashboard import render
from telesurveillance.web.security import gate

router = APIRouter(prefix="/ui/tasks", tags=["dashboard"])
TEAM = "/ui/tasks"
#: The outcomes a redirect may announce.
DONE = ("marked", "already", "missing")


def _today(request: Request) -> dt.date:
    return calendar.paris_day(context.of(request).clock())


def panel(request: Request, patient_id: int) -> list[board.Item]:
    """The patient's tasks, for the include on the patient page."""
    services = context.of(request)
    return board.of_patient(
        services.store.pathway, services.store.followup, services.regulation, patient_id,
        _today(request),
    )  # fmt: skip


@router.get("", name="dashboard.tasks", response_class=HTMLResponse)
def team_tasks(request: Request, show: str = "open", done: str | None = None) -> HTMLResponse:
    """Every active patient's tasks due within the horizon, overdue first; `show=all` adds the
    tasks marked done."""
    services = context.of(request)
    everything = show == "all"
    found = board.of_team(
        services.store.pathway, services.store.followup, services.regulation, _today(request),
        include_done=everything,
    )  # fmt: skip
    return render.page(
        request,
        "tasks.html",
        active="tasks",
        synthetic=any(i.care.synthetic for i in found),
        items=found,
        show="all" if everything else "open",
        horizon=board.HORIZON_DAYS,
        done=done if done in DONE else None,
    )


def _back(back: str, outcome: str) -> RedirectResponse:
    target = urllib.parse.urlsplit(back if back.startswith("/ui/") else TEAM)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(target.query) if k != "done"]
    query.append(("done", outcome))
    anchor = "#h-tasks" if target.path.startswith("/ui/patients/") else ""
    return RedirectResponse(f"{target.path}?{urllib.parse.urlencode(query)}{anchor}", 303)


@router.post("/done", name="dashboard.task_done", include_in_schema=False)
def mark_done(
    request: Request,
    pec: Annotated[int, Form()],
    kind: Annotated[str, Form(max_length=48)],
    due_on: Annotated[dt.date, Form()],
    back: Annotated[str, Form(max_length=400)] = TEAM,
) -> RedirectResponse:
    """Mark one task done by the logged-in user, now."""
    services = context.of(request)
    who = gate.principal(request)
    account = who.id if who.kind is roles.Kind.ACCOUNT else None
    try:
        board.mark_done(
            services.store.pathway, services.store.followup, services.regulation, pec, kind,
            due_on, (who.name, account, who.role.value), reading.millis(services.clock()),
            _today(request),
        )  # fmt: skip
    except followup_ports.AlreadyDone:
        return _back(back, "already")
    except (LookupError, care.NotFound, ValueError):
        return _back(back, "missing")
    return _back(back, "marked")
