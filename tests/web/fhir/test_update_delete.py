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


def _bundle(kind: str, *entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def _put(oid: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {"resource": resource, "request": {"method": "PUT", "url": f"Observation/{oid}"}}


def _delete(oid: str) -> dict[str, Any]:
    return {"request": {"method": "DELETE", "url": f"Observation/{oid}"}}


def _statuses(answer: Any) -> list[str]:
    return [e["response"]["status"] for e in answer.json()["entry"]]


def test_a_batch_corrects_by_put_and_delete_entries_beside_its_creates(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    other = resources.weight(patient_ref, "2026-01-15T08:00:00Z", value=70)
    gone = _created(fhir, other)
    fresh = resources.weight(patient_ref, "2026-01-16T08:00:00Z", value=71)
    answer = fhir.post(
        "/fhir",
        json=_bundle(
            "batch",
            _put(oid, _with(weight, "amended", 82)),
            _delete(gone),
            _delete(gone),  # a retry of the delete: nothing left, still a success
            {"resource": fresh, "request": {"method": "POST", "url": "Observation"}},
        ),
    )
    assert answer.status_code == 200, answer.text
    assert _statuses(answer) == ["200 OK", "200 OK", "204 No Content", "201 Created"]
    assert fhir.get(f"/fhir/Observation/{oid}").json()["valueQuantity"]["value"] == 82
    assert fhir.get(f"/fhir/Observation/{gone}").status_code == 404
    with engine.connect() as conn:
        pid = _pid(patient_ref)
        assert readings.days(conn, pid) == {(DAY, 1): 1, (dt.date(2026, 1, 16), 1): 1}
        assert readings.days(conn, pid) == readings.recount(conn, pid)


def test_a_transaction_whose_put_withdraws_nothing_writes_nothing(
    fhir: TestClient, patient_ref: str
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    fhir.delete(f"/fhir/Observation/{oid}")
    fresh = resources.weight(patient_ref, "2026-01-16T08:00:00Z", value=71)
    answer = fhir.post(
        "/fhir",
        json=_bundle(
            "transaction",
            {"resource": fresh, "request": {"method": "POST", "url": "Observation"}},
            _put(oid, _with(weight, "entered-in-error")),
        ),
    )
    assert answer.status_code == 404, answer.text
    assert answer.json()["issue"][0]["expression"][0].startswith("Bundle.entry[1]")
    search = fhir.get(f"/fhir/Observation?subject={patient_ref}").json()
    assert search.get("total", len(search.get("entry", []))) == 0


def test_a_transaction_amends_and_withdraws_in_one_commit(
    fhir: TestClient, patient_ref: str
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    panel = resources.blood_pressure(patient_ref, AT, sys=130, dia=80)
    bp = _created(fhir, panel)
    amended = resources.blood_pressure(patient_ref, AT, sys=128, dia=78)
    answer = fhir.post(
        "/fhir",
        json=_bundle("transaction", _put(bp, {**amended, "status": "corrected"}), _delete(oid)),
    )
    assert _statuses(answer) == ["200 OK", "200 OK"], answer.text
    read = fhir.get(f"/fhir/Observation/{bp}").json()
    assert [c["valueQuantity"]["value"] for c in read["component"]] == [128, 78]
    assert fhir.get(f"/fhir/Observation/{oid}").status_code == 404


def test_a_scoped_token_corrects_nothing_outside_its_scope_by_a_bundle(
    fhir: TestClient, patient_ref: str, make_client: ClientFactory
) -> None:
    weight = resources.weight(patient_ref, AT, value=80)
    oid = _created(fhir, weight)
    mine = fhir.post("/fhir/Patient", json=resources.patient(None, "AUTRE")).json()["id"]
    device = make_client("patient", patient_id=int(mine), device=True)
    batch = device.post(
        "/fhir", json=_bundle("batch", _put(oid, _with(weight, "amended", 60)), _delete(oid))
    )
    assert _statuses(batch) == ["403", "403"], batch.text
    whole = device.post("/fhir", json=_bundle("transaction", _delete(oid)))
    assert whole.status_code == 403
    assert fhir.get(f"/fhir/Observation/{oid}").json()["valueQuantity"]["value"] == 80


def test_a_bundle_put_of_a_registry_resource_or_a_delete_of_another_type_is_refused(
    fhir: TestClient, patient_ref: str
) -> None:
    put = {"resource": resources.patient(None), "request": {"method": "PUT", "url": patient_ref}}
    answer = fhir.post("/fhir", json=_bundle("batch", put))
    assert answer.status_code == 422
    assert answer.json()["issue"][0]["code"] == "not-supported"
    delete = {"request": {"method": "DELETE", "url": patient_ref}}
    answer = fhir.post("/fhir", json=_bundle("batch", delete))
    assert answer.status_code == 422
    assert answer.json()["issue"][0]["expression"] == ["Bundle.entry[0].request.url"]
