"""Corrections as FHIR update and delete: `PUT /fhir/Observation/{id}` writes the value sent at
the reading's key (or withdraws it when `entered-in-error`), `DELETE /fhir/Observation/{id}`
withdraws it; the day counters follow, and a token scoped to another patient corrects nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import readings
from tests.conftest import ClientFactory
from tests.web.fhir import resources

AT = "2026-01-14T08:00:00+01:00"
DAY = dt.date(2026, 1, 14)


def _pid(ref: str) -> int:
    return int(ref.split("/")[1])


def _with(resource: dict[str, Any], status: str, value: float | None = None) -> dict[str, Any]:
    changed = {**resource, "status": status}
    if value is not None:
        changed["valueQuantity"] = {**resource["valueQuantity"], "value": value}
    return changed


def _created(fhir: TestClient, resource: dict[str, Any]) -> str:
    answer = fhir.post("/fhir/Observation", json=resource)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_a_put_amended_weight_replaces_the_value_and_the_day_counter_stays(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    answer = fhir.put(f"/fhir/Observation/{oid}", json={**_with(weight, "amended", 81), "id": oid})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["valueQuantity"]["value"]) == ("amended", 81)
    assert fhir.get(f"/fhir/Observation/{oid}").json()["valueQuantity"]["value"] == 81
    with engine.connect() as conn:
        assert readings.days(conn, _pid(patient_ref)) == {(DAY, 1): 1}


def test_a_put_final_is_an_update_and_replaces_the_value_too(
    fhir: TestClient, patient_ref: str
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    assert fhir.put(f"/fhir/Observation/{oid}", json=_with(weight, "final", 79)).status_code == 200
    assert fhir.get(f"/fhir/Observation/{oid}").json()["valueQuantity"]["value"] == 79


def test_a_put_of_a_key_not_stored_yet_stores_it(fhir: TestClient, patient_ref: str) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    first = fhir.put("/fhir/Observation/p0-k1-t0", json=weight)  # names another key: refused
    assert first.status_code == 400
    oid = _created(fhir, weight)
    fhir.delete(f"/fhir/Observation/{oid}")
    again = fhir.put(f"/fhir/Observation/{oid}", json=_with(weight, "final", 77))
    assert again.status_code == 200, again.text
    assert fhir.get(f"/fhir/Observation/{oid}").json()["valueQuantity"]["value"] == 77


def test_a_put_entered_in_error_withdraws_and_the_counters_follow(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    answer = fhir.put(f"/fhir/Observation/{oid}", json=_with(weight, "entered-in-error"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "entered-in-error"
    assert fhir.get(f"/fhir/Observation/{oid}").status_code == 404
    again = fhir.put(f"/fhir/Observation/{oid}", json=_with(weight, "entered-in-error"))
    assert again.status_code == 404
    with engine.connect() as conn:
        assert readings.days(conn, _pid(patient_ref)) == {}


def test_a_put_whose_body_is_another_reading_or_another_id_is_refused_and_changes_nothing(
    fhir: TestClient, patient_ref: str
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    moved = resources.weight(patient_ref, "2026-01-14T09:00:00+01:00", value=70)
    refused = fhir.put(f"/fhir/Observation/{oid}", json=_with(moved, "amended"))
    assert refused.status_code == 400
    assert refused.json()["issue"][0]["code"] == "business-rule"
    other_id = fhir.put(
        f"/fhir/Observation/{oid}", json={**_with(weight, "amended", 70), "id": "x"}
    )
    assert other_id.status_code == 400
    assert other_id.json()["issue"][0]["expression"] == ["Observation.id"]
    assert fhir.get(f"/fhir/Observation/{oid}").json()["valueQuantity"]["value"] == 80


def test_a_delete_withdraws_the_reading_once_and_a_retry_is_harmless(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    _created(fhir, resources.weight(patient_ref, "2026-01-15T08:00:00Z"))
    gone = fhir.delete(f"/fhir/Observation/{oid}")
    assert gone.status_code == 200, gone.text
    assert (gone.json()["status"], gone.json()["valueQuantity"]["value"]) == (
        "entered-in-error",
        80,
    )
    assert fhir.get(f"/fhir/Observation/{oid}").status_code == 404
    assert fhir.delete(f"/fhir/Observation/{oid}").status_code == 204
    with engine.connect() as conn:
        pid = _pid(patient_ref)
        assert readings.days(conn, pid) == {(dt.date(2026, 1, 15), 1): 1}
        assert readings.days(conn, pid) == readings.recount(conn, pid)


def test_a_delete_of_a_blood_pressure_panel_withdraws_both_components(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    oid = _created(fhir, resources.blood_pressure(patient_ref, AT, sys=130, dia=80))
    gone = fhir.delete(f"/fhir/Observation/{oid}")
    assert [c["valueQuantity"]["value"] for c in gone.json()["component"]] == [130, 80]
    with engine.connect() as conn:
        assert readings.days(conn, _pid(patient_ref)) == {}


def test_a_delete_of_an_id_that_is_not_ours_is_not_found(fhir: TestClient) -> None:
    assert fhir.delete("/fhir/Observation/abc").status_code == 404


def test_a_token_scoped_to_another_patient_neither_updates_nor_deletes(
    fhir: TestClient, patient_ref: str, make_client: ClientFactory
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    mine = fhir.post("/fhir/Patient", json=resources.patient(None, "AUTRE")).json()["id"]
    for device in (True, False):
        other = make_client("patient", patient_id=int(mine), device=device)
        put = other.put(f"/fhir/Observation/{oid}", json=_with(weight, "amended", 60))
        assert put.status_code == 403, put.text
        assert other.delete(f"/fhir/Observation/{oid}").status_code == 403
    assert fhir.get(f"/fhir/Observation/{oid}").json()["valueQuantity"]["value"] == 80


def test_the_patients_own_device_token_may_correct_its_readings(
    fhir: TestClient, patient_ref: str, make_client: ClientFactory
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    own = make_client("patient", patient_id=_pid(patient_ref), device=True)
    assert own.put(f"/fhir/Observation/{oid}", json=_with(weight, "amended", 81)).status_code == 200
    assert own.delete(f"/fhir/Observation/{oid}").status_code == 200


def test_billing_staff_may_not_correct_readings(
    fhir: TestClient, patient_ref: str, make_client: ClientFactory
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    billing = make_client("facturation")
    assert billing.put(f"/fhir/Observation/{oid}", json=_with(weight, "amended")).status_code == 403
    assert billing.delete(f"/fhir/Observation/{oid}").status_code == 403
    assert fhir.get(f"/fhir/Observation/{oid}").json()["valueQuantity"]["value"] == 80
