"""Corrections through the API: an amended or corrected Observation replaces the reading at its
key (patient, code, instant), an entered-in-error one withdraws it; the day counters follow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import readings
from tests.web.fhir import resources

AT = "2026-01-14T08:00:00+01:00"


def _pid(ref: str) -> int:
    return int(ref.split("/")[1])


def _with(resource: dict[str, Any], status: str, value: float | None = None) -> dict[str, Any]:
    changed = {**resource, "status": status}
    if value is not None:
        changed["valueQuantity"] = {**resource["valueQuantity"], "value": value}
    return changed


def test_an_amended_weight_replaces_the_stored_value(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    created = fhir.post("/fhir/Observation", json=weight)
    assert created.status_code == 201, created.text
    amended = fhir.post("/fhir/Observation", json=_with(weight, "amended", 82.5))
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert (body["id"], body["status"]) == (created.json()["id"], "amended")
    assert body["valueQuantity"]["value"] == 82.5
    read = fhir.get(f"/fhir/Observation/{body['id']}").json()
    assert (read["status"], read["valueQuantity"]["value"]) == ("final", 82.5)
    with engine.connect() as conn:
        assert readings.days(conn, _pid(patient_ref)) == {(dt.date(2026, 1, 14), 1): 1}


def test_a_final_resent_with_another_value_does_not_replace_but_corrected_does(
    fhir: TestClient, patient_ref: str
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    first = fhir.post("/fhir/Observation", json=weight).json()
    again = fhir.post("/fhir/Observation", json=_with(weight, "final", 90))
    assert again.status_code == 200
    assert again.json()["valueQuantity"]["value"] == 80
    corrected = fhir.post("/fhir/Observation", json=_with(weight, "corrected", 90))
    assert corrected.json()["valueQuantity"]["value"] == 90
    assert fhir.get(f"/fhir/Observation/{first['id']}").json()["valueQuantity"]["value"] == 90


def test_an_amended_blood_pressure_panel_replaces_both_components(
    fhir: TestClient, patient_ref: str
) -> None:
    panel = resources.blood_pressure(patient_ref, AT, sys=130, dia=80)
    created = fhir.post("/fhir/Observation", json=panel).json()
    amended = resources.blood_pressure(patient_ref, AT, sys=135, dia=85)
    amended["status"] = "amended"
    assert fhir.post("/fhir/Observation", json=amended).status_code == 200
    read = fhir.get(f"/fhir/Observation/{created['id']}").json()
    assert [c["valueQuantity"]["value"] for c in read["component"]] == [135, 85]


def test_an_entered_in_error_reading_is_withdrawn_and_its_day_counter_follows(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    created = fhir.post("/fhir/Observation", json=weight).json()
    other = fhir.post(
        "/fhir/Observation", json=resources.weight(patient_ref, "2026-01-15T08:00:00Z")
    )
    assert other.status_code == 201
    withdrawn = fhir.post("/fhir/Observation", json=_with(weight, "entered-in-error"))
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["valueQuantity"]["value"]) == (
        "entered-in-error",
        80,
    )
    assert fhir.get(f"/fhir/Observation/{created['id']}").status_code == 404
    with engine.connect() as conn:
        pid = _pid(patient_ref)
        assert readings.days(conn, pid) == {(dt.date(2026, 1, 15), 1): 1}
        assert readings.days(conn, pid) == readings.recount(conn, pid)
    again = fhir.post("/fhir/Observation", json=_with(weight, "entered-in-error"))
    assert again.status_code == 404, again.text
    assert again.json()["issue"][0]["code"] == "not-found"


def test_a_withdrawn_reading_can_be_sent_again(fhir: TestClient, patient_ref: str) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    fhir.post("/fhir/Observation", json=weight)
    fhir.post("/fhir/Observation", json=_with(weight, "entered-in-error"))
    assert fhir.post("/fhir/Observation", json=_with(weight, "final", 79)).status_code == 201


def test_a_withdrawal_in_a_bundle_is_refused_naming_the_route_that_takes_it(
    fhir: TestClient, patient_ref: str
) -> None:
    weight = _with(resources.weight(patient_ref, AT), "entered-in-error")
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"resource": weight, "request": {"method": "POST", "url": "Observation"}}],
    }
    answer = fhir.post("/fhir", json=bundle)
    entry = answer.json()["entry"][0]["response"]
    assert entry["status"].startswith("422")
    issue = entry["outcome"]["issue"][0]
    assert issue["code"] == "business-rule"
    assert "POST /fhir/Observation" in issue["diagnostics"]
