"""Acting on alerts from the dashboard's forms, through the alerts service (compare-and-set).

Outcomes are short codes the page turns into a message: `done`, `conflict` (someone else acted
first), `forbidden` (the role may not do this, e.g. a nurse closing without a cooperation
protocol), `missing` (no such alert), `invalid` (unknown action), `no_decision` (a closure
without its decision) and `too_long` (a comment over the limit).
"""

from __future__ import annotations

from collections import Counter

from fastapi import Request

from telesurveillance.domain.access import roles
from telesurveillance.domain.alerts import lifecycle
from telesurveillance.services.alerts import lifecycle as acting
from telesurveillance.web import context


def decisions() -> list[str]:
    return [d.value for d in lifecycle.Decision]


def _actor(request: Request) -> tuple[str, lifecycle.Role] | None:
    """The authenticated principal's name and role (identity from the session only)."""
    who = getattr(request.state, "principal", None)
    if who is None:
        return None
    try:
        return str(who.name), lifecycle.Role(str(who.role))
    except ValueError:
        return None


def me(request: Request) -> int | None:
    """The user's account id (a token has none)."""
    who = getattr(request.state, "principal", None)
    if who is None or who.kind is not roles.Kind.ACCOUNT:
        return None
    return int(who.id)


def act(
    request: Request, alert_id: int, action: str, decision: str | None, note: str | None = None
) -> str:
    services = context.of(request)
    actor = _actor(request)
    if actor is None:
        return "forbidden"
    name, role = actor
    store = services.store.alert_lifecycle
    try:
        if action == "acknowledge":
            acting.acknowledge(store, alert_id, name, role, services.clock())
        elif action == "close":
            if decision not in decisions():
                return "no_decision"
            chosen = lifecycle.Decision(decision)
            if note is not None and len(note.strip()) > acting.NOTE_MAX:
                return "too_long"
            acting.close(store, alert_id, name, role, chosen, services.clock(), note=note)
        else:
            return "invalid"
    except lifecycle.Conflict:
        return "conflict"
    except (lifecycle.Refused, PermissionError):
        return "forbidden"
    except acting.NotFound:
        return "missing"
    except ValueError:
        return "invalid"
    return "done"


def assign(request: Request, alert_id: int, assignee: int | None, expected: int | None) -> str:
    services = context.of(request)
    actor = _actor(request)
    if actor is None:
        return "forbidden"
    name, role = actor
    store = services.store.alert_lifecycle
    try:
        acting.assign(store, alert_id, assignee, expected, name, role, services.clock())
    except lifecycle.Conflict:
        return "conflict"
    except lifecycle.Refused:
        return "forbidden"
    except acting.NotFound:
        return "missing"
    return "assigned"


def acknowledge_many(request: Request, alert_ids: list[int]) -> Counter[acting.Outcome] | str:
    """Each alert's outcome counted, or an outcome code for the whole action."""
    services = context.of(request)
    actor = _actor(request)
    if actor is None:
        return "forbidden"
    if not alert_ids:
        return "none_chosen"
    name, role = actor
    store = services.store.alert_lifecycle
    try:
        return acting.acknowledge_many(store, alert_ids, name, role, services.clock())
    except lifecycle.Refused:
        return "forbidden"
    except ValueError:
        return "too_many"
