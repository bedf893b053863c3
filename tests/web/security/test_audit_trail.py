"""Every route that reads or writes patient data, and every administration route (accounts,
tokens, the organisation set-up), writes an audit event whatever its outcome; the trail is
exported as FHIR AuditEvent."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import re

import sqlalchemy as sa
from fastapi import FastAPI, routing
from fhir.resources.R4B import bundle

from telesurveillance.adapters.sql.security import audit as security_audit
from telesurveillance.domain.access import matrix
from telesurveillance.services.security import audit
from tests.conftest import ClientFactory

TABLE = matrix.packaged()


def _traced_calls(app: FastAPI) -> list[tuple[str, str, str]]:
    calls = []
    for route in routing.iter_route_contexts(app.routes):
        rule = TABLE.rule(str(route.name))
        if rule is None or not rule.traced:
            continue
        path = re.sub(r"\{[^}]+\}", "1", str(route.path))
        calls.extend((rule.name, m, path) for m in sorted(route.methods or ()) if m != "HEAD")
    return calls


def test_every_traced_route_writes_one_audit_event_per_call(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client(role="administrateur")
    assert isinstance(client.app, FastAPI)
    calls = _traced_calls(client.app)
    assert len(calls) > 10
    assert {"dashboard.admin_account_create", "dashboard.setup_member"} <= {c[0] for c in calls}
    log = security_audit.SqlAuditLog(engine)
    missing = []
    for name, method, path in calls:
        before = len(log.events(limit=100_000))
        # one call, not the page a POST redirects to (itself a call with its own event)
        response = client.request(
            method, path, params={"patient": "Patient/1"}, follow_redirects=False
        )
        after = log.events(limit=100_000)
        written = after[: len(after) - before]
        if len(written) != 1 or written[0].route != name:
            missing.append((name, method, path))
            continue
        event = written[0]
        assert event.status == response.status_code
        assert event.actor.startswith("token/")
        assert event.role == "administrateur"
        assert event.source == "testclient"
    assert missing == []


def test_a_refused_access_to_patient_data_is_audited_too(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client(role="patient", patient_id=2)
    assert client.get("/fhir/Observation?patient=Patient/3").status_code == 403
    (event,) = security_audit.SqlAuditLog(engine).events()
    assert (event.status, event.patient_id, event.role) == (403, 3, "patient")


def test_a_read_names_the_patient_it_read(make_client: ClientFactory, engine: sa.Engine) -> None:
    make_client(role="medecin").get("/fhir/Observation?patient=Patient/7")
    (event,) = security_audit.SqlAuditLog(engine).events()
    assert (event.action, event.patient_id, event.route) == ("R", 7, "fhir.observation.search")


def test_the_trail_exports_as_a_fhir_bundle_for_the_administrateur_only(
    make_client: ClientFactory,
) -> None:
    make_client(role="medecin").get("/fhir/Observation?patient=Patient/7")
    admin = make_client(role="administrateur")
    response = admin.get("/fhir/AuditEvent?patient=Patient/7")
    assert response.status_code == 200
    document = response.json()
    bundle.Bundle.model_validate(document)
    entries = [e["resource"] for e in document["entry"]]
    assert entries[0]["entity"][0]["what"]["reference"] == "Patient/7"
    assert make_client(role="medecin").get("/fhir/AuditEvent").status_code == 403


def test_concurrent_audit_events_share_a_commit_and_none_is_lost(engine: sa.Engine) -> None:
    grouped = security_audit.GroupedAuditLog(engine)
    events = [
        audit.Event(
            recorded_at=dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC),
            actor=f"token:{i}",
            actor_name="device",
            role="patient",
            route="fhir.observation.create",
            action="C",
            method="POST",
            path="/fhir/Observation",
            patient_id=i,
            source="127.0.0.1",
            status=201,
            request_id=f"r{i}",
        )
        for i in range(1, 41)
    ]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(grouped.append, events))
    stored = security_audit.SqlAuditLog(engine).events(limit=1000)
    assert sorted(e.request_id for e in stored) == sorted(e.request_id for e in events)
