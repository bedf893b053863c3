"""The audit trail: one append-only event per read or write of patient data (and per log-in),
saying who (actor, role), what (route, action, patient), when, from where, and the outcome; and
its export as FHIR R4 `AuditEvent` resources.

Traceability of access to health data: Code de la santé publique art. L. 1111-8 and the HDS
référentiel (hébergement de données de santé); ANS "Référentiel d'identification électronique"
(every access attributable to an identified person).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

#: FHIR AuditEvent.action from the HTTP method (create, read, update, delete, execute).
ACTIONS = {"GET": "R", "HEAD": "R", "POST": "C", "PUT": "U", "PATCH": "U", "DELETE": "D"}

AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ACTOR_SYSTEM = "urn:telesurveillance:actor"
ROUTE_SYSTEM = "urn:telesurveillance:route"
ROLE_SYSTEM = "urn:telesurveillance:role"


@dataclass(frozen=True, slots=True)
class Event:
    recorded_at: dt.datetime
    actor: str
    actor_name: str
    role: str | None
    route: str
    action: str
    method: str
    path: str
    patient_id: int | None
    source: str
    status: int
    request_id: str
    id: int | None = None


class Log(Protocol):
    """The append-only store of events (`adapters.sql.security.audit`)."""

    def append(self, event: Event) -> int: ...
    def events(
        self, *, patient_id: int | None = None, limit: int = 100, before_id: int | None = None
    ) -> Sequence[Event]: ...


class Trail(Protocol):
    """The events of requests, appended durably before each response leaves (group commit of
    concurrent requests: `adapters.sql.security.audit.GroupedAuditLog`)."""

    def append_all(self, events: Sequence[Event]) -> None:
        """Append `events` (those of one request); returns once all are committed."""
        ...


def action_of(method: str, override: str | None = None) -> str:
    return override or ACTIONS.get(method.upper(), "E")


def outcome(status: int) -> str:
    """FHIR AuditEvent.outcome: 0 success, 4 minor failure (refused, invalid), 8 serious."""
    if status < 400:
        return "0"
    if status < 500:
        return "4"
    return "8"


def to_fhir(event: Event, observer: str = "telesurveillance") -> dict[str, Any]:
    """One event as a FHIR R4 AuditEvent (RESTful operation)."""
    agent: dict[str, Any] = {
        "type": {
            "coding": [
                {"system": PARTICIPATION_TYPE, "code": "IRCP", "display": "information recipient"}
            ]
        },
        "who": {
            "identifier": {"system": ACTOR_SYSTEM, "value": event.actor},
            "display": event.actor_name or event.actor,
        },
        "requestor": True,
        "network": {"address": event.source or "unknown", "type": "2"},
    }
    if event.role:
        agent["role"] = [{"coding": [{"system": ROLE_SYSTEM, "code": event.role}]}]
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "type": {"system": AUDIT_EVENT_TYPE, "code": "rest", "display": "RESTful Operation"},
        "subtype": [{"system": ROUTE_SYSTEM, "code": event.route}],
        "action": event.action,
        "recorded": event.recorded_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "outcome": outcome(event.status),
        "outcomeDesc": f"HTTP {event.status} {event.method} {event.path}",
        "agent": [agent],
        "source": {"observer": {"display": observer}},
    }
    if event.id is not None:
        resource["id"] = str(event.id)
    if event.patient_id is not None:
        resource["entity"] = [{"what": {"reference": f"Patient/{event.patient_id}"}}]
    return resource


def bundle(events: Iterable[Event]) -> dict[str, Any]:
    """A FHIR searchset Bundle of the events."""
    entries = [{"resource": to_fhir(e)} for e in events]
    return {"resourceType": "Bundle", "type": "searchset", "entry": entries}
