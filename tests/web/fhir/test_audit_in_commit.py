"""A stored reading and its audit event share one commit (issue 18): the group commit writes
the event with the reading; the gate writes the event itself when nothing was stored."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.security import audit as security_audit
from telesurveillance.services.security import audit
from tests.web.fhir import resources


def _refusing(_trail: object, events: Sequence[audit.Event]) -> None:
    raise AssertionError(f"the gate wrote {len(events)} event(s) of its own")


def _creations(engine: sa.Engine) -> list[audit.Event]:
    return [
        e
        for e in security_audit.SqlAuditLog(engine).events(limit=1000)
        if e.route == "fhir.observation.create"
    ]


def test_a_new_reading_and_its_retry_are_audited_by_the_commit_that_stores_them(
    fhir: TestClient, patient_ref: str, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(security_audit.GroupedAuditLog, "append_all", _refusing)
    first = fhir.post("/fhir/Observation", json=resources.weight(patient_ref))
    again = fhir.post("/fhir/Observation", json=resources.weight(patient_ref))
    assert (first.status_code, again.status_code) == (201, 200)
    events = _creations(engine)
    patient = int(patient_ref.split("/")[1])
    assert sorted((e.status, e.patient_id, e.action) for e in events) == [
        (200, patient, "C"),
        (201, patient, "C"),
    ]
    assert len({e.request_id for e in events}) == 2  # one event per request


def test_a_reading_refused_by_the_commit_is_audited_by_the_gate_once(
    fhir: TestClient, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = security_audit.GroupedAuditLog.append_all

    def counting(trail: security_audit.GroupedAuditLog, events: Sequence[audit.Event]) -> None:
        calls.append(len(events))
        original(trail, events)

    monkeypatch.setattr(security_audit.GroupedAuditLog, "append_all", counting)
    refused = fhir.post("/fhir/Observation", json=resources.weight("Patient/999999"))
    assert refused.status_code >= 400
    (event,) = _creations(engine)
    assert (event.status, calls) == (refused.status_code, [1])
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one() == 0
