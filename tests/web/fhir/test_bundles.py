"""Bundles: a transaction is all or nothing; a batch treats each entry on its own; $import."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.web.fhir import resources


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _entry(resource: dict[str, Any], full_url: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def _bundle(kind: str, *entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def test_a_transaction_creates_a_patient_and_its_observations_together(
    fhir: TestClient, engine: sa.Engine
) -> None:
    uuid = "urn:uuid:5b7c2d6e-0000-4000-8000-000000000001"
    answer = fhir.post(
        "/fhir",
        json=_bundle(
            "transaction",
            _entry(resources.patient(), uuid),
            _entry(resources.weight(uuid)),
            _entry(resources.blood_pressure(uuid)),
        ),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["type"] == "transaction-response"
    assert [e["response"]["status"] for e in body["entry"]] == ["201 Created"] * 3
    assert _count(engine, "patients") == 1
    assert _count(engine, "readings") == 3


def test_a_transaction_with_one_bad_entry_writes_nothing(
    fhir: TestClient, engine: sa.Engine
) -> None:
    uuid = "urn:uuid:5b7c2d6e-0000-4000-8000-000000000002"
    bad = resources.weight(uuid, value=-5)
    answer = fhir.post(
        "/fhir",
        json=_bundle(
            "transaction",
            _entry(resources.patient(), uuid),
            _entry(resources.weight(uuid)),
            _entry(bad),
        ),
    )
    assert answer.status_code == 422
    issue = answer.json()["issue"][0]
    assert issue["expression"] == ["Bundle.entry[2].resource.valueQuantity.value"]
    assert _count(engine, "patients") == 0
    assert _count(engine, "readings") == 0


def test_a_batch_keeps_the_good_entries_and_reports_the_bad_ones(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    answer = fhir.post(
        "/fhir",
        json=_bundle(
            "batch",
            _entry(resources.weight(patient_ref, "2026-01-14T08:00:00Z")),
            _entry(resources.weight(patient_ref, value=-5)),
            _entry(resources.weight("Patient/999999")),
            _entry(resources.weight(patient_ref, "2026-01-14T08:00:00Z")),
        ),
    )
    assert answer.status_code == 200, answer.text
    statuses = [e["response"]["status"] for e in answer.json()["entry"]]
    assert statuses == ["201 Created", "422", "422", "200 OK"]
    refused = answer.json()["entry"][1]["response"]["outcome"]
    assert refused["issue"][0]["expression"] == ["Bundle.entry[1].resource.valueQuantity.value"]
    assert _count(engine, "readings") == 1


def test_a_retried_batch_stores_nothing_twice(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    bundle = _bundle(
        "batch",
        *(_entry(resources.weight(patient_ref, f"2026-01-14T{h:02}:00:00Z")) for h in range(5)),
    )
    fhir.post("/fhir", json=bundle)
    again = fhir.post("/fhir", json=bundle).json()
    assert {e["response"]["status"] for e in again["entry"]} == {"200 OK"}
    assert _count(engine, "readings") == 5


def test_import_accepts_good_lines_and_reports_bad_ones_by_number(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    lines = [
        json.dumps(resources.weight(patient_ref, f"2026-02-0{d}T10:00:00Z")) for d in range(1, 6)
    ]
    lines.insert(2, "{not json")
    lines.append(json.dumps(resources.weight("Patient/999999")))
    lines.append(json.dumps(resources.weight(patient_ref, "2026-02-01T10:00:00Z")))
    answer = fhir.post(
        "/fhir/$import",
        content="\n".join(lines).encode(),
        headers={"content-type": "application/x-ndjson"},
    )
    assert answer.status_code == 200, answer.text
    issues = answer.json()["issue"]
    assert issues[0]["diagnostics"].startswith("accepted 5, duplicates 1, rejected 2")
    assert [i["diagnostics"].split(":")[0] for i in issues[1:]] == ["line 3", "line 7"]
    assert _count(engine, "readings") == 5
