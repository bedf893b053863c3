"""Patients, practitioners, organisations and devices: create, read, update, search."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.fhir import resources


def test_a_patient_is_created_read_and_found_by_its_nir(fhir: TestClient) -> None:
    created = fhir.post("/fhir/Patient", json=resources.patient())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["meta"]["versionId"] == "1"
    assert created.headers["etag"] == 'W/"1"'
    assert body["identifier"][0]["type"]["coding"][0]["code"] == "INS-NIR"
    assert fhir.get(f"/fhir/Patient/{body['id']}").json() == body
    found = fhir.get(
        "/fhir/Patient", params={"identifier": f"urn:oid:1.2.250.1.213.1.4.8|{resources.NIR}"}
    )
    assert [e["resource"]["id"] for e in found.json()["entry"]] == [body["id"]]
    by_name = fhir.get("/fhir/Patient", params={"family": "synth"})
    assert len(by_name.json()["entry"]) == 1


def test_a_second_patient_with_the_same_nir_is_a_conflict(fhir: TestClient) -> None:
    assert fhir.post("/fhir/Patient", json=resources.patient()).status_code == 201
    again = fhir.post("/fhir/Patient", json=resources.patient())
    assert again.status_code == 409
    assert again.json()["issue"][0]["code"] == "duplicate"


def test_an_update_bumps_the_version_and_a_stale_one_is_refused(fhir: TestClient) -> None:
    pid = fhir.post("/fhir/Patient", json=resources.patient()).json()["id"]
    changed = resources.patient(id=pid, gender="other")
    first = fhir.put(f"/fhir/Patient/{pid}", json=changed, headers={"If-Match": 'W/"1"'})
    assert first.status_code == 200, first.text
    assert first.json()["meta"]["versionId"] == "2"
    assert first.json()["gender"] == "other"
    stale = fhir.put(f"/fhir/Patient/{pid}", json=changed, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412


def test_an_unknown_patient_is_a_404(fhir: TestClient) -> None:
    assert fhir.get("/fhir/Patient/424242").status_code == 404
    assert fhir.get("/fhir/Patient/abc").status_code == 404


def test_a_practitioner_needs_an_eleven_digit_rpps(fhir: TestClient) -> None:
    practitioner = {
        "resourceType": "Practitioner",
        "identifier": [{"system": "https://rpps.esante.gouv.fr", "value": "1000123456"}],
        "name": [{"family": "SYNTHETIQUE", "given": ["Jean"]}],
    }
    refused = fhir.post("/fhir/Practitioner", json=practitioner)
    assert refused.status_code == 422
    assert refused.json()["issue"][0]["expression"] == ["Practitioner.identifier[0].value"]
    practitioner["identifier"][0]["value"] = "10001234567"
    created = fhir.post("/fhir/Practitioner", json=practitioner)
    assert created.status_code == 201
    found = fhir.get("/fhir/Practitioner", params={"identifier": "10001234567"}).json()
    assert found["entry"][0]["resource"]["id"] == created.json()["id"]


def test_operateurs_and_exploitants_are_told_apart_by_their_type(fhir: TestClient) -> None:
    operateur = fhir.post("/fhir/Organization", json=resources.organization("operateur"))
    exploitant = fhir.post("/fhir/Organization", json=resources.organization("exploitant", None))
    assert (operateur.status_code, exploitant.status_code) == (201, 201)
    assert operateur.json()["id"].startswith("op-")
    assert exploitant.json()["id"].startswith("ex-")
    only = fhir.get("/fhir/Organization", params={"type": "exploitant"}).json()
    assert [e["resource"]["id"] for e in only["entry"]] == [exploitant.json()["id"]]
    both = fhir.get("/fhir/Organization").json()
    assert len(both["entry"]) == 2


def test_an_organization_without_role_is_refused(fhir: TestClient) -> None:
    answer = fhir.post("/fhir/Organization", json={"resourceType": "Organization", "name": "X"})
    assert answer.status_code == 422
    assert answer.json()["issue"][0]["expression"] == ["Organization.type"]


def test_a_bad_siret_names_the_field(fhir: TestClient) -> None:
    exploitant = resources.organization("exploitant", None)
    exploitant["identifier"] = [{"system": "https://sirene.fr", "value": "73282932000075"}]
    answer = fhir.post("/fhir/Organization", json=exploitant)
    assert answer.status_code == 422
    assert answer.json()["issue"][0]["expression"] == ["Organization.identifier[0].value"]


def test_a_device_is_attached_to_a_patient_and_found_by_identifier(
    fhir: TestClient, patient_ref: str
) -> None:
    device = {
        "resourceType": "Device",
        "identifier": [{"system": "urn:maker:serial", "value": "SN-1"}],
        "status": "active",
        "patient": {"reference": patient_ref},
    }
    created = fhir.post("/fhir/Device", json=device)
    assert created.status_code == 201, created.text
    found = fhir.get("/fhir/Device", params={"identifier": "urn:maker:serial|SN-1"}).json()
    assert found["entry"][0]["resource"]["patient"] == {"reference": patient_ref}
    device["patient"] = {"reference": "Patient/999999"}
    device["identifier"][0]["value"] = "SN-2"
    assert fhir.post("/fhir/Device", json=device).status_code == 422
