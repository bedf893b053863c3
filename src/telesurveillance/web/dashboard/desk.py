"""The billing desk (facturation's home): one opérateur's periods of a month with their verdicts
explained, totals, the series ready to send, the billing files, and marking lines sent, paid or
rejected (ledger status events: who is the session's principal, when the server's clock)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Annotated

from babel import dates
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.domain import calendar
from telesurveillance.domain.regulation import catalogue
from telesurveillance.services.billing import desk, ledger, lines
from telesurveillance.web import context
from telesurveillance.web.dashboard import render
from telesurveillance.web.i18n import formats
from telesurveillance.web.security import gate

router = APIRouter(tags=["dashboard"])
INDICATIONS = [i.value for i in catalogue.Indication]
STATES = [s.value for s in desk.State]
MARKS = [s.value for s in ledger.Status]
HOME = "/ui/desk"
#: The most lines one form may mark at once.
MARK_MAX = 1000


def _month(value: str | None) -> dt.date | None:
    """ "2026-10" as its first day; anything else is no choice."""
    try:
        return dt.date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


def month_name(month: dt.date, lang: str) -> str:
    """ "novembre 2026" / "November 2026"."""
    return dates.format_date(month, "LLLL yyyy", locale=formats.locale_of(lang))


def _filters(
    operateur: str | None,
    month: str | None,
    state: str | None,
    indication: str | None,
    billable: str | None,
    reason: str | None,
) -> desk.Filters:
    """The filters as chosen, an unknown value being no filter."""
    return desk.Filters(
        operateur_id=int(operateur) if operateur and operateur.isdecimal() else None,
        month=_month(month),
        state=desk.State(state) if state in STATES else None,
        indication=indication if indication in INDICATIONS else None,
        billable={"yes": True, "no": False}.get(billable or ""),
        reason=reason or None,
    )


@router.get("/ui/desk", name="dashboard.desk", response_class=HTMLResponse)
def desk_page(
    request: Request,
    operateur: Annotated[str | None, Query(max_length=12)] = None,
    month: Annotated[str | None, Query(max_length=7)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    indication: Annotated[str | None, Query(max_length=48)] = None,
    billable: Annotated[str | None, Query(max_length=3)] = None,
    reason: Annotated[str | None, Query(max_length=80)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    done: Annotated[str | None, Query(max_length=16)] = None,
    recorded: Annotated[int, Query(ge=0, le=MARK_MAX)] = 0,
    refused: Annotated[int, Query(ge=0, le=MARK_MAX)] = 0,
) -> HTMLResponse:
    """The desk of one opérateur and month, filtered."""
    return _page(
        request,
        _filters(operateur, month, state, indication, billable, reason),
        page,
        done=done,
        counts={"recorded": recorded, "refused": refused},
    )


def _page(
    request: Request,
    filters: desk.Filters,
    number: int = 1,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    services = context.of(request)
    today = calendar.paris_day(services.clock())
    found = desk.desk(
        services.store.ledger, services.store.dashboard_directory, services.regulation,
        today, filters, number,
    )  # fmt: skip
    extra.setdefault("draft", None)
    return render.page(
        request,
        "desk.html",
        status,
        active="desk",
        synthetic=found.synthetic,
        desk=found,
        today=today,
        indications=INDICATIONS,
        states=STATES,
        marks=MARKS,
        note_max=lines.NOTE_MAX,
        query=lambda **changed: _query(found.filters, **changed),
        month_name=lambda m: month_name(m, render.lang_of(request)),
        moment=lambda at: formats.moment(at, render.lang_of(request)),
        **extra,
    )


def _query(filters: desk.Filters, **changed: object) -> str:
    """The desk's address with the current filters, some changed (None drops one)."""
    current: dict[str, object] = {
        "operateur": filters.operateur_id,
        "month": filters.month.strftime("%Y-%m") if filters.month else None,
        "state": filters.state.value if filters.state else None,
        "indication": filters.indication,
        "billable": None if filters.billable is None else ("yes" if filters.billable else "no"),
        "reason": filters.reason,
    }
    current.update(changed)
    kept = {k: str(v) for k, v in current.items() if v is not None}
    return f"{HOME}?{urllib.parse.urlencode(kept)}"


def _back(back: str, **params: object) -> RedirectResponse:
    """Back to the desk as it was filtered, saying what happened."""
    target = urllib.parse.urlsplit(back if back.startswith(HOME) else HOME)
    dropped = {"done", "recorded", "refused"}
    query = [(k, v) for k, v in urllib.parse.parse_qsl(target.query) if k not in dropped]
    query += [(k, str(v)) for k, v in params.items() if v]
    return RedirectResponse(f"{target.path}?{urllib.parse.urlencode(query)}", status_code=303)


@router.post("/ui/desk/lines", name="dashboard.desk_mark", include_in_schema=False)
def mark_lines(
    request: Request,
    status: Annotated[str, Form(max_length=16)] = "",
    ids: Annotated[list[int] | None, Form()] = None,
    note: Annotated[str, Form(max_length=4 * lines.NOTE_MAX)] = "",
    back: Annotated[str, Form(max_length=600)] = HOME,
) -> Response:
    """Mark the lines ticked (or a series' lines) sent, paid or rejected; each line moves only
    from the status it has (a line someone else marked meanwhile is refused and counted)."""
    chosen = ids or []
    problem = None
    if status not in MARKS:
        problem = "no_status"
    elif not chosen:
        problem = "none_chosen"
    elif len(chosen) > MARK_MAX:
        problem = "too_many"
    elif len(note.strip()) > lines.NOTE_MAX:
        problem = "too_long"
    if problem is not None:
        # the page comes back with what was typed; the filters are those of the form's page
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
        filters = _filters(
            query.get("operateur"), query.get("month"), query.get("state"),
            query.get("indication"), query.get("billable"), query.get("reason"),
        )  # fmt: skip
        draft = {"ids": set(chosen), "note": note, "status": status}
        return _page(request, filters, 1, 422, done=problem, draft=draft, counts={})
    services = context.of(request)
    moved = lines.move(
        services.store.ledger,
        chosen,
        ledger.Status(status),
        actor=gate.principal(request).name,
        now=services.clock(),
        note=note,
    )
    return _back(
        back, done="marked", recorded=len(moved.recorded) or "0", refused=len(moved.refused)
    )
