"""Every refused input gets its 4xx OperationOutcome, located, and writes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.web.fhir import resources

Edit = Callable[[dict[str, Any]], None]


def _drop(key: str) -> Edit:
    return lambda o: o.pop(key)


def _set(path: tuple[str | int, ...], value: Any) -> Edit:
    def edit(o: dict[str, Any]) -> None:
        target: Any = o
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


CASES: list[tuple[str, Edit, int, str]] = [
    ("missing code", _drop("code"), 422, "Observation.code"),
    ("missing subject", _drop("subject"), 422, "Observation.subject"),
    ("missing value", _drop("valueQuantity"), 422, "Observation.valueQuantity"),
    ("missing effective", _drop("effectiveDateTime"), 422, "Observation.effectiveDateTime"),
    ("status out of the value set", _set(("status",), "bogus"), 422, "Observation.status"),
    ("cancelled status", _set(("status",), "cancelled"), 422, "Observation.status"),
    (
        "unknown LOINC",
        _set(("code", "coding", 0, "code"), "1234-5"),
        422,
        "Observation.code.coding[0].code",
    ),
    ("wrong unit", _set(("valueQuantity", "code"), "mg"), 422, "Observation.valueQuantity.code"),
    (
        "negative weight",
        _set(("valueQuantity", "value"), -3),
        422,
        "Observation.valueQuantity.value",
    ),
    (
        "month without day",
        _set(("effectiveDateTime",), "2026-01"),
        422,
        "Observation.effectiveDateTime",
    ),
    (
        "time without zone",
        _set(("effectiveDateTime",), "2026-01-14T10:30:00"),
        422,
        "Observation.effectiveDateTime",
    ),
    ("unknown element", _set(("colour",), "blue"), 422, "Observation.colour"),
    (
        "unknown patient",
        _set(("subject", "reference"), "Patient/999999"),
        422,
        "Observation.subject",
    ),
]


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one())


def _assert_outcome(answer: Any, status: int, expression: str | None) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["resourceType"] == "OperationOutcome"
    issue = body["issue"][0]
    assert issue["severity"] == "error"
    assert issue["code"]
    assert issue["diagnostics"]
    if expression is not None:
        assert issue["expression"] == [expression]


@pytest.mark.parametrize(("case", "edit", "status", "expression"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_observation_is_refused_and_nothing_is_written(
    fhir: TestClient,
    patient_ref: str,
    engine: sa.Engine,
    case: str,
    edit: Edit,
    status: int,
    expression: str,
) -> None:
    observation = copy.deepcopy(resources.weight(patient_ref))
    edit(observation)
    _assert_outcome(fhir.post("/fhir/Observation", json=observation), status, expression)
    assert _count(engine) == 0


def test_an_spo2_above_100_percent_is_implausible(fhir: TestClient, patient_ref: str) -> None:
    spo2 = resources.weight(patient_ref)
    spo2["code"]["coding"][0]["code"] = "2708-6"
    spo2["valueQuantity"] = {"value": 100.5, "system": resources.UCUM, "code": "%"}
    _assert_outcome(
        fhir.post("/fhir/Observation", json=spo2), 422, "Observation.valueQuantity.value"
    )
    spo2["valueQuantity"]["value"] = 100
    assert fhir.post("/fhir/Observation", json=spo2).status_code == 201


def test_malformed_json_is_a_400(fhir: TestClient, engine: sa.Engine) -> None:
    answer = fhir.post(
        "/fhir/Observation",
        content=b'{"resourceType": "Obs',
        headers={"content-type": "application/fhir+json"},
    )
    _assert_outcome(answer, 400, None)
    assert _count(engine) == 0


def test_an_unknown_resource_type_is_a_404_outcome(fhir: TestClient) -> None:
    _assert_outcome(fhir.post("/fhir/Spaceship", json={"resourceType": "Spaceship"}), 404, None)
    _assert_outcome(fhir.get("/fhir/Spaceship/1"), 404, None)


def test_a_resource_of_another_type_is_refused(fhir: TestClient) -> None:
    answer = fhir.post("/fhir/Observation", json=resources.patient())
    _assert_outcome(answer, 422, "resourceType")


def test_an_oversize_body_is_a_413(fhir: TestClient, engine: sa.Engine) -> None:
    big = resources.weight("Patient/1")
    big["note"] = [{"text": "x" * (2 << 20)}]
    answer = fhir.post("/fhir/Observation", json=big)
    assert answer.status_code == 413
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert _count(engine) == 0


def test_an_invalid_nir_key_names_the_field(fhir: TestClient, engine: sa.Engine) -> None:
    answer = fhir.post("/fhir/Patient", json=resources.patient(resources.BAD_NIR))
    _assert_outcome(answer, 422, "Patient.identifier[0].value")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM patients")).scalar_one() == 0


def test_an_ins_oid_without_type_is_refused(fhir: TestClient) -> None:
    patient = resources.patient()
    del patient["identifier"][0]["type"]
    _assert_outcome(fhir.post("/fhir/Patient", json=patient), 422, "Patient.identifier[0].type")


def test_an_unknown_search_parameter_is_a_400(fhir: TestClient, patient_ref: str) -> None:
    answer = fhir.get("/fhir/Observation", params={"patient": "1", "colour": "blue"})
    _assert_outcome(answer, 400, "colour")
