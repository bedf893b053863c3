"""Malformed requests are 4xx OperationOutcomes naming what is wrong, and audited: malformed
Bundle entries, and ids made of digits that are not ASCII decimals (`²` passes str.isdigit,
but int() refuses it)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.security import audit
from tests.conftest import ClientFactory
from tests.web.fhir import resources

GOOD_REQUEST = {"method": "POST", "url": "Observation"}
MALFORMED_ENTRIES: list[tuple[Any, str]] = [
    ({"resource": [1], "request": GOOD_REQUEST}, "Bundle.entry[0]"),
    ({"resource": "x", "request": GOOD_REQUEST}, "Bundle.entry[0]"),
    ({"resource": None, "request": GOOD_REQUEST}, "Bundle.entry[0]"),
    ({"resource": {"status": "final"}, "request": GOOD_REQUEST}, "Bundle.entry[0].resource"),
    ({"resource": {"resourceType": 1}, "request": GOOD_REQUEST}, "Bundle.entry[0].resource"),
    ({"resource": {"resourceType": "Spaceship"}, "request": GOOD_REQUEST}, "Bundle.entry[0]"),
    ({"request": "POST"}, "Bundle.entry[0]"),
    ("an entry", "Bundle.entry[0]"),
    (7, "Bundle.entry[0]"),
    ({"request": "POST", "resource": "WEIGHT"}, "Bundle.entry[0]"),
    ({"request": {}, "resource": "WEIGHT"}, "Bundle.entry[0].request.method"),
    ({"request": {"method": 1, "url": "Observation"}, "resource": "WEIGHT"}, "Bundle.entry[0]"),
    ({"request": {"method": "PUT", "url": "Observation"}, "resource": "WEIGHT"}, "Bundle.entry"),
    ({"request": {"method": "POST"}, "resource": "WEIGHT"}, "Bundle.entry[0].request.url"),
    ({"request": {"method": "POST", "url": ["x"]}, "resource": "WEIGHT"}, "Bundle.entry[0]"),
    (
        {"request": {"method": "POST", "url": "Organization"}, "resource": "WEIGHT"},
        "Bundle.entry[0].request.url",
    ),
    (
        {"request": GOOD_REQUEST, "resource": "WEIGHT", "fullUrl": {"x": 1}},
        "Bundle.entry[0].fullUrl",
    ),
]


def _entry(shape: Any, patient_ref: str) -> Any:
    if not isinstance(shape, dict):
        return shape
    if shape.get("resource") == "WEIGHT":
        return {**shape, "resource": resources.weight(patient_ref)}
    return shape


@pytest.mark.parametrize("kind", ["batch", "transaction"])
@pytest.mark.parametrize(("shape", "where"), MALFORMED_ENTRIES)
def test_a_malformed_bundle_entry_is_a_4xx_naming_the_entry(
    fhir: TestClient, patient_ref: str, engine: sa.Engine, kind: str, shape: Any, where: str
) -> None:
    good = {"resource": resources.weight(patient_ref, "2026-02-01T08:00:00Z")}
    bundle = {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [_entry(shape, patient_ref), {**good, "request": GOOD_REQUEST}],
    }
    answer = fhir.post("/fhir", json=bundle)
    assert 400 <= answer.status_code < 500, answer.text
    issue = answer.json()["issue"][0]
    assert issue["expression"][0].startswith(where), issue
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one() == 0


def test_a_bundle_whose_entry_is_not_a_list_is_a_400(fhir: TestClient) -> None:
    answer = fhir.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": {}})
    assert answer.status_code == 400
    assert answer.json()["issue"][0]["expression"] == ["Bundle.entry"]


SUPERSCRIPT = "%C2%B2"  # "²": str.isdigit() is true, int() raises ValueError
NOT_ASCII_IDS = [
    f"/fhir/Patient/{SUPERSCRIPT}",
    f"/fhir/Observation?patient={SUPERSCRIPT}",
    f"/fhir/Observation?patient=Patient/{SUPERSCRIPT}",
    f"/fhir/Observation?subject=Patient/1&patient=Patient/1{SUPERSCRIPT}",
    f"/fhir/Observation/p{SUPERSCRIPT}-k1-t1",
    f"/fhir/Observation?patient=1&_count={SUPERSCRIPT}",
    f"/fhir/Observation?patient=1&_cursor=k{SUPERSCRIPT}-t1",
    f"/fhir/Observation?patient=1&_cursor=k1-t{SUPERSCRIPT}",
    f"/fhir/Patient?_id={SUPERSCRIPT}",
    f"/fhir/Patient?_count={SUPERSCRIPT}",
    f"/fhir/Device?patient={SUPERSCRIPT}",
    f"/fhir/DetectedIssue/{SUPERSCRIPT}",
    f"/fhir/Flag?patient=Patient/{SUPERSCRIPT}",
    f"/ui/worklist?member={SUPERSCRIPT}",
    "/fhir/Patient/%D9%A1",  # an Arabic-Indic one: int() reads it, FHIR ids are ASCII
]


@pytest.mark.parametrize("path", NOT_ASCII_IDS)
@pytest.mark.parametrize("role", ["medecin", "patient"])
def test_an_id_of_digits_that_are_not_ascii_is_a_4xx_and_audited(
    make_client: ClientFactory, engine: sa.Engine, path: str, role: str
) -> None:
    client = make_client(role=role, patient_id=1 if role == "patient" else None)
    answer = client.get(path)
    assert answer.status_code < 500, (path, answer.status_code)
    if path.startswith(("/fhir/Patient/", "/fhir/Observation/")):
        assert answer.status_code in (403, 404)
    if path.startswith("/fhir") and answer.status_code >= 400:
        assert answer.json()["resourceType"] == "OperationOutcome"
    if "/Patient/" in path or "/Observation" in path:
        (event,) = audit.SqlAuditLog(engine).events()
        assert event.status == answer.status_code
        assert event.patient_id is None or event.patient_id == 1


def test_an_if_match_of_digits_that_are_not_ascii_is_a_400(fhir: TestClient) -> None:
    created = fhir.post("/fhir/Patient", json=resources.patient(nir=None)).json()
    answer = fhir.put(
        f"/fhir/Patient/{created['id']}",
        json=created,
        headers={"If-Match": 'W/"\u00b2"'.encode("latin-1")},  # type: ignore[dict-item]
    )
    assert answer.status_code == 400
