"""The audit trail's FHIR export: valid R4 AuditEvent resources."""

from __future__ import annotations

import datetime as dt

from fhir.resources.R4B import auditevent, bundle

from telesurveillance.services.security import audit

EVENT = audit.Event(
    recorded_at=dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC),
    actor="account/3",
    actor_name="Dr Martin",
    role="medecin",
    route="fhir.observation.search",
    action="R",
    method="GET",
    path="/fhir/Observation?patient=Patient/12",
    patient_id=12,
    source="10.0.0.8",
    status=200,
    request_id="6f1c2a7e-0000-4000-8000-000000000000",
    id=41,
)


def test_an_event_is_a_valid_r4_audit_event_naming_who_what_when_where_and_the_outcome() -> None:
    resource = audit.to_fhir(EVENT)
    parsed = auditevent.AuditEvent.model_validate(resource)
    assert parsed.action == "R"
    assert parsed.outcome == "0"
    assert resource["recorded"] == "2026-03-01T08:30:00Z"
    assert resource["agent"][0]["who"]["identifier"]["value"] == "account/3"
    assert resource["agent"][0]["network"]["address"] == "10.0.0.8"
    assert resource["entity"][0]["what"]["reference"] == "Patient/12"


def test_a_refused_request_is_a_minor_failure_and_a_crash_a_serious_one() -> None:
    assert audit.outcome(399) == "0"
    assert audit.outcome(403) == "4"
    assert audit.outcome(499) == "4"
    assert audit.outcome(500) == "8"


def test_the_export_is_a_valid_searchset_bundle() -> None:
    document = audit.bundle([EVENT, EVENT])
    parsed = bundle.Bundle.model_validate(document)
    assert parsed.type == "searchset"
    assert len(document["entry"]) == 2


def test_the_action_follows_the_http_method_unless_the_table_says_otherwise() -> None:
    assert audit.action_of("GET") == "R"
    assert audit.action_of("POST") == "C"
    assert audit.action_of("PUT") == "U"
    assert audit.action_of("DELETE") == "D"
    assert audit.action_of("POST", "R") == "R"
