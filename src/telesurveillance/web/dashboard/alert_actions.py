"""Acting on alerts from the dashboard's forms, through the alerts service (compare-and-set).

Outcomes are short codes the page turns into a message: `done`, `conflict` (someone else acted
first), `forbidden` (the role may not do this, e.g. a nurse closing without a cooperation
protocol), `missing` (no such alert) and `invalid` (unknown action or decision)."""

from __future__ import annotations

from fastapi import Request

from telesurveillance.domain.alerts import lifecycle
from telesurveillance.services.alerts import lifecycle as acting
from telesurveillance.web import context


def decisions() -> list[str]:
    return [d.value for d in lifecycle.Decision]


def act(request: Request, alert_id: int, action: str, decision: str | None) -> str:
    services = context.of(request)
    who = getattr(request.state, "principal", None)
    if who is None:
        return "forbidden"
    try:
        role = lifecycle.Role(str(who.role))
    except ValueError:
        return "forbidden"
    store = services.store.alert_lifecycle
    try:
        if action == "acknowledge":
            acting.acknowledge(store, alert_id, str(who.name), role, services.clock())
        elif action == "close":
            chosen = lifecycle.Decision(decision or "")
            acting.close(store, alert_id, str(who.name), role, chosen, services.clock())
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
