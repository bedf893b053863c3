"""FHIR conformance: errors under /fhir are OperationOutcomes, the CapabilityStatement says what
the app really serves, searches escape LIKE wildcards and count with `_count=0`, and
`If-None-Exist` is a conditional create (or refused), never ignored."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from fhir.resources.R4B import capabilitystatement, operationdefinition

from tests.conftest import ClientFactory
from tests.web.fhir import resources

NIR_2 = "253072B07300470"  # another valid synthetic NIR (Corsica), engineering notes
IDENTIFIER = f"urn:oid:1.2.250.1.213.1.4.8|{resources.NIR}"


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _outcome(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = answer.json()
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"][0]


# --- 405 --------------------------------------------------------------------------------------


def test_a_method_not_allowed_under_fhir_is_an_operation_outcome(fhir: TestClient) -> None:
    answer = fhir.delete("/fhir/Patient/1")
    issue = _outcome(answer, 405)
    assert issue["code"] == "not-supported"
    assert "DELETE" in issue["diagnostics"]
    assert set(answer.headers["allow"].replace(" ", "").split(",")) == {"GET", "PUT"}
    assert _outcome(fhir.patch("/fhir/Observation", json={}), 405)["code"] == "not-supported"


def test_a_405_outside_fhir_keeps_the_framework_answer(fhir: TestClient) -> None:
    answer = fhir.delete("/auth/whoami")
    assert answer.status_code == 405
    assert "detail" in answer.json()


# --- the CapabilityStatement ----------------------------------------------------------------


def _statement(client: TestClient) -> dict[str, Any]:
    answer = client.get("/fhir/metadata")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    capabilitystatement.CapabilityStatement.model_validate(body)  # a valid R4 resource
    return body


def test_the_capability_statement_lists_every_fhir_route_of_the_app(fhir: TestClient) -> None:
    resources_ = {r["type"]: r for r in _statement(fhir)["rest"][0]["resource"]}
    codes = {t: {i["code"] for i in r["interaction"]} for t, r in resources_.items()}
    assert codes["DetectedIssue"] == {"read", "search-type"}
    assert codes["Flag"] == {"read", "search-type"}
    assert codes["AuditEvent"] == {"search-type"}
    assert codes["OperationDefinition"] == {"read"}
    assert codes["Observation"] == {"create", "read", "update", "delete", "search-type"}
    assert codes["QuestionnaireResponse"] == {"create"}
    for rtype in ("Patient", "Practitioner", "Organization", "Device"):
        assert codes[rtype] == {"create", "read", "update", "search-type"}
        assert resources_[rtype]["conditionalCreate"] is True
    assert {p["name"] for p in resources_["AuditEvent"]["searchParam"]} == {
        "patient",
        "_count",
        "before",
    }
    assert {p["name"] for p in resources_["Flag"]["searchParam"]} == {"patient", "status"}


def test_the_capability_statement_is_dated_by_the_installed_package(fhir: TestClient) -> None:
    dist = importlib.metadata.distribution("telesurveillance")
    [metadata] = [f for f in dist.files or [] if f.name == "METADATA"]
    stamp = os.stat(metadata.locate()).st_mtime
    statement = _statement(fhir)
    assert statement["date"] == dt.datetime.fromtimestamp(stamp, dt.UTC).date().isoformat()
    assert statement["software"]["version"] == dist.version


def test_the_import_operation_definition_resolves(
    fhir: TestClient, make_client: ClientFactory
) -> None:
    [operation] = _statement(fhir)["rest"][0]["operation"]
    assert operation["name"] == "import"
    url = operation["definition"]
    anonymous = make_client(authenticated=False)  # public, like the statement that names it
    answer = anonymous.get(url.removeprefix("http://testserver"))
    assert answer.status_code == 200, answer.text
    definition = answer.json()
    operationdefinition.OperationDefinition.model_validate(definition)
    assert (definition["url"], definition["code"], definition["system"]) == (url, "import", True)
    assert _outcome(fhir.get("/fhir/OperationDefinition/export"), 404)["code"] == "not-found"


# --- searches -------------------------------------------------------------------------------


def test_like_wildcards_in_a_name_are_characters(fhir: TestClient) -> None:
    for nir, family in ((resources.NIR, "DUPONT"), (NIR_2, "MARTIN")):
        assert fhir.post("/fhir/Patient", json=resources.patient(nir, family)).status_code == 201
    for query in ("name=%", "name=_", "family=%25", "family=_UPONT", "name=%5C"):
        found = fhir.get(f"/fhir/Patient?{query}").json()
        assert found["entry"] == [], query
    assert len(fhir.get("/fhir/Patient?name=dup").json()["entry"]) == 1
    organization = resources.organization()
    organization["name"] = "Santé 100% connectée"
    assert fhir.post("/fhir/Organization", json=organization).status_code == 201
    assert fhir.post("/fhir/Organization", json=resources.organization()).status_code == 201
    assert len(fhir.get("/fhir/Organization?name=100%25").json()["entry"]) == 1
    assert fhir.get("/fhir/Organization?name=_").json()["entry"] == []


def test_count_zero_returns_the_total_and_no_entry(fhir: TestClient, patient_ref: str) -> None:
    assert fhir.post("/fhir/Patient", json=resources.patient(NIR_2, "MARTIN")).status_code == 201
    found = fhir.get("/fhir/Patient?_count=0").json()
    assert (found["type"], found["total"], "entry" in found) == ("searchset", 2, False)
    assert fhir.get("/fhir/Patient?_count=0&family=MARTIN").json()["total"] == 1
    for moment in ("2026-01-14T08:00:00Z", "2026-01-15T08:00:00Z"):
        fhir.post("/fhir/Observation", json=resources.weight(patient_ref, moment))
    fhir.post("/fhir/Observation", json=resources.blood_pressure(patient_ref))
    pid = patient_ref.split("/")[1]
    counted = fhir.get(f"/fhir/Observation?patient={pid}&_count=0").json()
    assert (counted["total"], "entry" in counted) == (3, False)  # the panel counts once
    one = fhir.get(f"/fhir/Observation?patient={pid}&_count=1").json()
    assert len(one["entry"]) == 1


# --- conditional create ---------------------------------------------------------------------


def test_if_none_exist_creates_once_then_answers_the_existing_resource(
    fhir: TestClient, engine: sa.Engine
) -> None:
    headers = {"If-None-Exist": f"identifier={IDENTIFIER}"}
    first = fhir.post("/fhir/Patient", json=resources.patient(), headers=headers)
    assert first.status_code == 201, first.text
    again = fhir.post("/fhir/Patient", json=resources.patient(), headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"].endswith(f"/Patient/{first.json()['id']}")
    assert _count(engine, "patients") == 1


def test_if_none_exist_matching_several_is_a_412(fhir: TestClient, engine: sa.Engine) -> None:
    for nir in (resources.NIR, NIR_2):
        assert fhir.post("/fhir/Patient", json=resources.patient(nir)).status_code == 201
    third = resources.patient(None)
    answer = fhir.post("/fhir/Patient", json=third, headers={"If-None-Exist": "family=SYNTHETIQUE"})
    assert _outcome(answer, 412)["code"] == "duplicate"
    assert _count(engine, "patients") == 2


@pytest.mark.parametrize("condition", ["", "nonsense", "colour=blue", "family=A&family=B"])
def test_a_condition_that_is_not_a_search_is_a_400(
    fhir: TestClient, engine: sa.Engine, condition: str
) -> None:
    answer = fhir.post(
        "/fhir/Patient", json=resources.patient(), headers={"If-None-Exist": condition}
    )
    _outcome(answer, 400)
    assert _count(engine, "patients") == 0


def test_if_none_exist_on_a_reading_is_refused_not_ignored(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    headers = {"If-None-Exist": "identifier=urn:device:scale-1|abc"}
    answer = fhir.post("/fhir/Observation", json=resources.weight(patient_ref), headers=headers)
    assert _outcome(answer, 400)["code"] == "not-supported"
    answer = fhir.post(
        "/fhir/QuestionnaireResponse",
        json=resources.questionnaire_response(patient_ref),
        headers=headers,
    )
    assert _outcome(answer, 400)["code"] == "not-supported"
    assert _count(engine, "readings") == 0


def test_a_transaction_links_its_readings_to_the_patient_that_already_exists(
    fhir: TestClient, engine: sa.Engine
) -> None:
    existing = fhir.post("/fhir/Patient", json=resources.patient()).json()["id"]
    uuid = "urn:uuid:5b7c2d6e-0000-4000-8000-0000000000c1"
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": uuid,
                "resource": resources.patient(),
                "request": {
                    "method": "POST",
                    "url": "Patient",
                    "ifNoneExist": f"identifier={IDENTIFIER}",
                },
            },
            {
                "resource": resources.weight(uuid),
                "request": {"method": "POST", "url": "Observation"},
            },
        ],
    }
    answer = fhir.post("/fhir", json=bundle)
    assert answer.status_code == 200, answer.text
    responses = [e["response"] for e in answer.json()["entry"]]
    assert responses[0] == {"status": "200 OK", "location": f"Patient/{existing}"}
    assert responses[1]["location"].startswith(f"Observation/p{existing}-")
    assert _count(engine, "patients") == 1


def test_a_batch_refuses_a_conditional_reading_entry(fhir: TestClient, patient_ref: str) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "resource": resources.weight(patient_ref),
                "request": {"method": "POST", "url": "Observation", "ifNoneExist": "x=1"},
            },
            {
                "resource": resources.patient(NIR_2),
                "request": {"method": "POST", "url": "Patient", "ifNoneExist": "family=NOBODY"},
            },
        ],
    }
    answer = fhir.post("/fhir", json=bundle)
    assert answer.status_code == 200, answer.text
    first, second = (e["response"] for e in answer.json()["entry"])
    assert first["status"] == "400"
    assert first["outcome"]["issue"][0]["expression"] == ["Bundle.entry[0].request.ifNoneExist"]
    assert second["status"] == "201 Created"
