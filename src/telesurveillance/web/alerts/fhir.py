"""Alerts as FHIR R4 resources: `DetectedIssue` (the clinical finding, implicating the stored
Observations) and `Flag` (the patient-level warning while the alert is not closed).

DetectedIssue.status uses the ObservationStatus codes (http://hl7.org/fhir/R4/detectedissue.html):
open and acknowledged → `preliminary`, closed → `final`, closed as an artefact → `cancelled`.
Flag.status (http://hl7.org/fhir/R4/flag.html): `active` until closed, then `inactive`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telesurveillance.adapters.fhir import ids
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import views

FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return reading.instant(ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def issue_status(view: views.View) -> str:
    if view.status != "closed":
        return "preliminary"
    return "cancelled" if view.decision == "artefact" else "final"


#: DetectedIssue status search values → stored statuses
ISSUE_STATUSES = {
    "preliminary": ["open", "acknowledged"],
    "final": ["closed"],
    "cancelled": ["closed"],
}
FLAG_STATUSES = {"active": ["open", "acknowledged"], "inactive": ["closed"]}


def _code(base: str, view: views.View) -> dict[str, Any]:
    return {
        "coding": [{"system": f"{base}/CodeSystem/alert-rule", "code": view.rule_id}],
        "text": view.message,
    }


def detected_issue(base: str, view: views.View) -> dict[str, Any]:
    document: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "id": str(view.id),
        "meta": {"versionId": str(view.version), "lastUpdated": _iso(view.last_seen_at)},
        "status": issue_status(view),
        "code": _code(base, view),
        "severity": view.severity,
        "patient": {"reference": f"Patient/{view.patient_id}"},
        "identifiedDateTime": _iso(view.opened_at),
        "implicated": [
            {"reference": f"Observation/{ids.observation(view.patient_id, (kind,), ts)}"}
            for kind, ts in view.implicated
            if kind
        ],
        "detail": view.message,
    }
    if view.decision is not None:
        document["mitigation"] = [
            {
                "action": {
                    "coding": [
                        {"system": f"{base}/CodeSystem/alert-decision", "code": view.decision}
                    ]
                },
                "date": _iso(view.closed_at),
            }
        ]
    if not document["implicated"]:
        del document["implicated"]
    return document


def flag(base: str, view: views.View) -> dict[str, Any]:
    period: dict[str, Any] = {"start": _iso(view.opened_at)}
    if view.closed_at is not None:
        period["end"] = _iso(view.closed_at)
    return {
        "resourceType": "Flag",
        "id": str(view.id),
        "meta": {"versionId": str(view.version), "lastUpdated": _iso(view.last_seen_at)},
        "status": "inactive" if view.status == "closed" else "active",
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "clinical"}]}],
        "code": _code(base, view),
        "subject": {"reference": f"Patient/{view.patient_id}"},
        "period": period,
    }


def searchset(
    base: str, resource_type: str, entries: list[dict[str, Any]], now: dt.datetime
) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": _iso(reading.millis(now)),
        "total": len(entries),
        "entry": [
            {
                "fullUrl": f"{base}/{resource_type}/{e['id']}",
                "resource": e,
                "search": {"mode": "match"},
            }
            for e in entries
        ],
    }
