"""`$import`: one bad line never blocks the good ones, whatever its conversion would do."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.web.fhir import resources


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one())


def _import(fhir: TestClient, lines: list[Any]) -> list[dict[str, Any]]:
    body = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines).encode()
    answer = fhir.post(
        "/fhir/$import", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert answer.status_code == 200, answer.text
    issues: list[dict[str, Any]] = answer.json()["issue"]
    return issues


def test_a_line_dated_9999_with_a_negative_offset_is_refused_alone(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    issues = _import(
        fhir,
        [
            resources.weight(patient_ref, "2026-02-01T10:00:00Z"),
            resources.weight(patient_ref, "9999-12-31T23:59:59-12:00"),
            resources.weight(patient_ref, "2026-02-02T10:00:00Z"),
        ],
    )
    assert issues[0]["diagnostics"].startswith("accepted 2, duplicates 0, rejected 1")
    assert issues[1]["diagnostics"].startswith("line 2: 9999-12-31T23:59:59-12:00 is in the future")
    assert issues[1]["expression"] == ["Observation.effectiveDateTime"]
    assert _count(engine) == 2


def test_numbers_beyond_a_float_or_a_key_are_refused_by_line(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    huge_value = resources.weight(patient_ref, "2026-02-03T10:00:00Z")
    huge_value["valueQuantity"]["value"] = 10**400
    huge_patient = resources.weight("Patient/" + "9" * 30, "2026-02-04T10:00:00Z")
    issues = _import(
        fhir,
        [
            resources.weight(patient_ref, "2026-02-01T10:00:00Z"),
            json.dumps(huge_value),
            json.dumps(huge_patient),
            resources.weight(patient_ref, "2026-02-02T10:00:00Z"),
        ],
    )
    assert issues[0]["diagnostics"].startswith("accepted 2, duplicates 0, rejected 2")
    assert [i["diagnostics"].split(":")[0] for i in issues[1:]] == ["line 2", "line 3"]
    assert _count(engine) == 2


def _component(resource: dict[str, Any], code: str, value: float) -> dict[str, Any]:
    resource["code"]["coding"][0]["code"] = code
    resource["valueQuantity"] = {"value": value, "system": resources.UCUM, "code": "mm[Hg]"}
    return resource


def test_a_diastolic_line_above_its_systolic_line_refuses_both(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    at, later = "2026-02-01T08:00:00Z", "2026-02-01T09:00:00Z"
    issues = _import(
        fhir,
        [
            _component(resources.weight(patient_ref, at), "8480-6", 80),
            _component(resources.weight(patient_ref, at), "8462-4", 120),
            _component(resources.weight(patient_ref, later), "8480-6", 120),
            _component(resources.weight(patient_ref, later), "8462-4", 120),
        ],
    )
    assert issues[0]["diagnostics"].startswith("accepted 2, duplicates 0, rejected 2")
    assert [i["diagnostics"].split(":")[0] for i in issues[1:]] == ["line 1", "line 2"]
    assert issues[1]["expression"] == ["Observation.valueQuantity.value"]
    assert "(line 2)" in issues[1]["diagnostics"]
    assert _count(engine) == 2
