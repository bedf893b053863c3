"""Content types and limits of what the FHIR API parses: the standard NDJSON types are
accepted, an undeclared or unsupported type is a 415, and the JSON limits hold whatever the
declared type (never a 500)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.web.fhir import resources

DEEP = b"[" * 5000 + b"]" * 5000
WRITES = (
    ("POST", "/fhir/Observation"),
    ("POST", "/fhir/QuestionnaireResponse"),
    ("POST", "/fhir"),
    ("POST", "/fhir/$import"),
    ("POST", "/fhir/Patient"),
    ("PUT", "/fhir/Patient/1"),
)


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one())


def _patient(fhir: TestClient) -> int:
    created = fhir.post("/fhir/Patient", json=resources.patient(nir=None))
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


@pytest.mark.parametrize(
    "media_type", ["application/fhir+ndjson", "application/ndjson", "application/x-ndjson"]
)
def test_a_patient_imports_its_own_readings_as_any_standard_ndjson_type(
    make_client: ClientFactory, engine: sa.Engine, media_type: str
) -> None:
    pid = _patient(make_client())
    lines = [
        json.dumps(resources.weight(f"Patient/{pid}", f"2026-02-0{d}T08:00:00Z")) for d in (1, 2)
    ]
    patient = make_client(role="patient", patient_id=pid)
    body = "\r\n".join(lines).encode()
    answer = patient.post("/fhir/$import", content=body, headers={"content-type": media_type})
    assert answer.status_code == 200, answer.text
    assert answer.json()["issue"][0]["diagnostics"].startswith("accepted 2,")
    assert _count(engine) == 2


def test_an_import_may_start_with_a_byte_order_mark(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    fhir = make_client()
    pid = _patient(fhir)
    body = b"\xef\xbb\xbf" + json.dumps(resources.weight(f"Patient/{pid}")).encode() + b"\n"
    headers = {"content-type": "application/ndjson"}
    answer = fhir.post("/fhir/$import", content=body, headers=headers)
    assert answer.json()["issue"][0]["diagnostics"].startswith("accepted 1,")
    assert _count(engine) == 1


@pytest.mark.parametrize("media_type", [None, "text/plain", "application/octet-stream"])
@pytest.mark.parametrize("role", ["patient", "medecin"])
def test_an_observation_without_a_json_content_type_is_a_415(
    make_client: ClientFactory, engine: sa.Engine, media_type: str | None, role: str
) -> None:
    pid = _patient(make_client())
    client = make_client(role=role, patient_id=pid if role == "patient" else None)
    headers = {} if media_type is None else {"content-type": media_type}
    body = json.dumps(resources.weight(f"Patient/{pid}")).encode()
    answer = client.post("/fhir/Observation", content=body, headers=headers)
    assert answer.status_code == 415
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert answer.json()["issue"][0]["code"] == "not-supported"
    assert _count(engine) == 0


def test_an_import_declared_as_json_or_text_is_a_415(fhir: TestClient) -> None:
    for media_type in ("application/fhir+json", "text/plain"):
        answer = fhir.post("/fhir/$import", content=b"{}", headers={"content-type": media_type})
        assert answer.status_code == 415, media_type


@pytest.mark.parametrize("media_type", ["text/plain", "application/octet-stream"])
def test_deeply_nested_arrays_of_an_unsupported_type_are_a_415_never_a_500(
    fhir: TestClient, media_type: str
) -> None:
    for method, path in WRITES:
        answer = fhir.request(method, path, content=DEEP, headers={"content-type": media_type})
        assert answer.status_code == 415, (method, path, answer.status_code)
        assert answer.json()["resourceType"] == "OperationOutcome"


def test_deeply_nested_json_is_a_400_on_every_route_that_parses_json(fhir: TestClient) -> None:
    for method, path in WRITES:
        media_type = "application/x-ndjson" if path.endswith("$import") else "application/json"
        answer = fhir.request(method, path, content=DEEP, headers={"content-type": media_type})
        if path.endswith("$import"):  # a line is refused with its number, not the request
            assert answer.status_code == 200, answer.text
            assert "line 1: JSON nested deeper than 32" in answer.text
        else:
            assert answer.status_code == 400, (method, path, answer.status_code)
            assert "nested deeper than 32" in answer.text


@pytest.mark.parametrize("media_type", [None, "text/plain", "application/json"])
def test_deeply_nested_bodies_of_the_json_api_are_never_a_500(
    fhir: TestClient, media_type: str | None
) -> None:
    headers = {} if media_type is None else {"content-type": media_type}
    for path in ("/api/alerts/1/close", "/api/alerts/1/acknowledge"):
        answer = fhir.post(path, content=DEEP, headers=headers)
        assert 400 <= answer.status_code < 500, (path, media_type, answer.status_code)
