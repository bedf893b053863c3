"""Corrections in `$import` NDJSON: an `amended`/`corrected` line replaces the value at its key,
an `entered-in-error` line withdraws the reading, each judged as a line is; a withdrawal of
nothing is refused with its line number, and a token scoped to another patient corrects
nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import readings
from tests.conftest import ClientFactory
from tests.web.fhir import resources

NDJSON = {"Content-Type": "application/fhir+ndjson"}


def _pid(ref: str) -> int:
    return int(ref.split("/")[1])


def _with(resource: dict[str, Any], status: str, value: float | None = None) -> dict[str, Any]:
    changed = {**resource, "status": status}
    if value is not None:
        changed["valueQuantity"] = {**resource["valueQuantity"], "value": value}
    return changed


def _import(client: TestClient, *lines: dict[str, Any]) -> Any:
    body = "\n".join(json.dumps(line) for line in lines)
    return client.post("/fhir/$import", content=body, headers=NDJSON)


def _value(fhir: TestClient, oid: str) -> float | None:
    found = fhir.get(f"/fhir/Observation/{oid}")
    return None if found.status_code == 404 else float(found.json()["valueQuantity"]["value"])


def test_import_lines_amend_and_withdraw_stored_readings_and_the_counters_follow(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    kept = resources.weight(patient_ref, "2026-01-14T08:00:00Z", value=80)
    gone = resources.weight(patient_ref, "2026-01-15T08:00:00Z", value=70)
    never = resources.weight(patient_ref, "2026-01-16T08:00:00Z", value=60)
    first = _import(fhir, kept, gone)
    assert first.status_code == 200, first.text
    answer = _import(
        fhir,
        _with(kept, "amended", 81),  # line 1: replaces
        _with(gone, "entered-in-error"),  # line 2: withdraws
        _with(never, "entered-in-error"),  # line 3: nothing there
        _with(kept, "final", 99),  # line 4: a retry of a stored key: the first value stays
    )
    assert answer.status_code == 200, answer.text
    issues = answer.json()["issue"]
    summary = issues[0]["diagnostics"]
    assert summary.startswith("accepted 0, duplicates 1, rejected 1")
    assert "corrected 2" in summary
    assert issues[1]["diagnostics"].startswith("line 3: no reading of")
    assert issues[1]["code"] == "not-found"
    search = fhir.get(f"/fhir/Observation?subject={patient_ref}").json()
    values = sorted(e["resource"]["valueQuantity"]["value"] for e in search["entry"])
    assert values == [81]
    with engine.connect() as conn:
        pid = _pid(patient_ref)
        assert readings.days(conn, pid) == {(dt.date(2026, 1, 14), 1): 1}
        assert readings.days(conn, pid) == readings.recount(conn, pid)


def test_a_scoped_token_amends_nothing_outside_its_scope_by_import(
    fhir: TestClient, patient_ref: str, make_client: ClientFactory
) -> None:
    weight = resources.weight(patient_ref, "2026-01-14T08:00:00Z", value=80)
    created = fhir.post("/fhir/Observation", json=weight)
    oid = created.json()["id"]
    mine = fhir.post("/fhir/Patient", json=resources.patient(None, "AUTRE")).json()["id"]
    device = make_client("patient", patient_id=int(mine), device=True)
    answer = _import(device, _with(weight, "amended", 60), _with(weight, "entered-in-error"))
    assert answer.status_code == 403
    assert [i["code"] for i in answer.json()["issue"][1:]] == ["forbidden", "forbidden"]
    assert _value(fhir, oid) == 80
    own = make_client("patient", patient_id=_pid(patient_ref), device=True)
    assert _import(own, _with(weight, "amended", 79)).status_code == 200
    assert _value(fhir, oid) == 79
