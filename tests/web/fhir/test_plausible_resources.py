"""Accepted though wrong, or silently changed: every such input is refused with a 422 naming the
element, and nothing is written (diastolic above systolic, implausible birth and death dates,
blank or control-character names, numbers sent as strings, long ids, text over the column size,
a managing organization that does not exist)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.web.fhir import resources

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)  # 1 March 2026, 10:00 in Paris


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client(now=lambda: NOW)


@pytest.fixture
def ref(client: TestClient) -> str:
    created = client.post("/fhir/Patient", json=resources.patient())
    assert created.status_code == 201, created.text
    return f"Patient/{created.json()['id']}"


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _refused(answer: Any, expression: str, code: str | None = None) -> dict[str, Any]:
    assert answer.status_code == 422, answer.text
    issue: dict[str, Any] = answer.json()["issue"][0]
    assert issue["expression"] == [expression], issue
    if code is not None:
        assert issue["code"] == code, issue
    return issue


# --- blood pressure -------------------------------------------------------------------------


def test_a_diastolic_above_the_systolic_is_refused(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    answer = client.post("/fhir/Observation", json=resources.blood_pressure(ref, sys=80, dia=81))
    issue = _refused(answer, "Observation.component[1].valueQuantity.value", "value")
    assert "81 mm[Hg] is above the pression artérielle systolique 80 mm[Hg]" in issue["diagnostics"]
    assert _count(engine, "readings") == 0


def test_a_diastolic_equal_to_the_systolic_is_accepted(client: TestClient, ref: str) -> None:
    answer = client.post("/fhir/Observation", json=resources.blood_pressure(ref, sys=80, dia=80))
    assert answer.status_code == 201, answer.text


def test_the_diastolic_is_named_where_it_is_given(client: TestClient, ref: str) -> None:
    panel = resources.blood_pressure(ref, sys=80, dia=120)
    panel["component"].reverse()
    _refused(
        client.post("/fhir/Observation", json=panel), "Observation.component[0].valueQuantity.value"
    )


# --- birth and death ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "expression"),
    [
        ({"birthDate": "2026-03-02"}, "Patient.birthDate"),
        ({"birthDate": "0001-01-01"}, "Patient.birthDate"),
        ({"birthDate": "1896-02-29"}, "Patient.birthDate"),
        ({"deceasedDateTime": "1949-12-31"}, "Patient.deceasedDateTime"),
        ({"deceasedDateTime": "2026-03-02"}, "Patient.deceasedDateTime"),
        ({"deceasedDateTime": "2026-03-01T23:30:00Z"}, "Patient.deceasedDateTime"),
    ],
    ids=[
        "born tomorrow",
        "born in year 1",
        "born 130 years and a day ago",
        "died before birth",
        "died tomorrow",
        "died past midnight in Paris",
    ],
)
def test_an_implausible_birth_or_death_is_refused(
    client: TestClient, engine: sa.Engine, edit: dict[str, str], expression: str
) -> None:
    _refused(client.post("/fhir/Patient", json=resources.patient(**edit)), expression, "value")
    assert _count(engine, "patients") == 0


@pytest.mark.parametrize(
    "edit",
    [
        {"birthDate": "2026-03-01"},
        {"birthDate": "1896-03-01"},
        {"birthDate": "1950-01-01", "deceasedDateTime": "1950-01-01"},
        {"deceasedDateTime": "2026-03-01T22:59:59Z"},
    ],
    ids=["born today", "born 130 years ago", "died the day of birth", "died today in Paris"],
)
def test_the_bounds_of_a_lifespan_are_accepted(client: TestClient, edit: dict[str, str]) -> None:
    answer = client.post("/fhir/Patient", json=resources.patient(nir=None, **edit))
    assert answer.status_code == 201, answer.text


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expression", "code"),
    [
        ({"family": "   "}, "Patient.name[0].family", "required"),
        ({"family": "DUP\u0000ONT"}, "Patient.name[0].family", "value"),
        ({"family": "DUPONT\n"}, "Patient.name[0].family", "value"),
        ({"family": "DUPONT", "given": ["Ana", "\t"]}, "Patient.name[0].given[1]", "required"),
        ({"family": "DUPONT", "given": ["\u202eanA"]}, "Patient.name[0].given[0]", "value"),
    ],
    ids=["blank", "NUL", "newline", "blank given", "bidi override"],
)
def test_a_blank_or_control_character_name_is_refused(
    client: TestClient, engine: sa.Engine, name: dict[str, Any], expression: str, code: str
) -> None:
    patient = resources.patient()
    patient["name"] = [name]
    _refused(client.post("/fhir/Patient", json=patient), expression, code)
    assert _count(engine, "patients") == 0


def test_practitioner_and_organization_names_are_checked_too(client: TestClient) -> None:
    practitioner = {"resourceType": "Practitioner", "name": [{"family": "\u0007"}]}
    _refused(client.post("/fhir/Practitioner", json=practitioner), "Practitioner.name[0].family")
    organization = resources.organization()
    organization["name"] = " \t "
    _refused(client.post("/fhir/Organization", json=organization), "Organization.name")


# --- JSON types and ids ---------------------------------------------------------------------


def test_a_number_sent_as_a_string_is_refused(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    weight = resources.weight(ref)
    weight["valueQuantity"]["value"] = "71.5"
    issue = _refused(
        client.post("/fhir/Observation", json=weight), "Observation.valueQuantity.value"
    )
    assert "not a string" in issue["diagnostics"]
    panel = resources.blood_pressure(ref)
    panel["component"][0]["valueQuantity"]["value"] = "130"
    _refused(
        client.post("/fhir/Observation", json=panel), "Observation.component[0].valueQuantity.value"
    )
    score = resources.questionnaire_response(ref)
    score["item"][1]["answer"][0]["valueInteger"] = "7"
    _refused(
        client.post("/fhir/QuestionnaireResponse", json=score),
        "QuestionnaireResponse.item[1].answer[0].valueInteger",
    )
    assert _count(engine, "readings") == 0


def test_a_boolean_sent_as_a_string_is_refused(client: TestClient) -> None:
    practitioner = {"resourceType": "Practitioner", "name": [{"family": "X"}], "active": "false"}
    _refused(client.post("/fhir/Practitioner", json=practitioner), "Practitioner.active")


def test_an_observation_id_over_64_characters_is_refused(client: TestClient, ref: str) -> None:
    weight = resources.weight(ref)
    weight["id"] = "a" * 65
    _refused(client.post("/fhir/Observation", json=weight), "Observation.id")
    weight["id"] = "a" * 64
    assert client.post("/fhir/Observation", json=weight).status_code == 201


# --- never cut to the column ----------------------------------------------------------------


def test_a_family_name_over_the_column_is_refused_not_cut(
    client: TestClient, engine: sa.Engine
) -> None:
    _refused(
        client.post("/fhir/Patient", json=resources.patient(family="X" * 101)),
        "Patient.name[0].family",
        "too-long",
    )
    assert _count(engine, "patients") == 0
    kept = client.post("/fhir/Patient", json=resources.patient(family="X" * 100))
    assert kept.status_code == 201, kept.text
    assert kept.json()["name"][0]["family"] == "X" * 100


def test_given_names_organization_names_and_identifiers_are_never_cut(client: TestClient) -> None:
    patient = resources.patient()
    patient["name"][0]["given"] = ["A" * 60, "B" * 40]  # 101 characters once joined
    _refused(client.post("/fhir/Patient", json=patient), "Patient.name[0].given", "too-long")
    organization = resources.organization()
    organization["name"] = "O" * 201
    _refused(client.post("/fhir/Organization", json=organization), "Organization.name")
    device = {
        "resourceType": "Device",
        "identifier": [{"system": "urn:device", "value": "D" * 201}],
    }
    _refused(client.post("/fhir/Device", json=device), "Device.identifier[0].value", "too-long")
    device["identifier"][0]["value"] = "D" * 200
    assert client.post("/fhir/Device", json=device).status_code == 201


# --- references to rows that do not exist ---------------------------------------------------


def test_a_managing_organization_that_does_not_exist_is_refused(
    client: TestClient, engine: sa.Engine
) -> None:
    patient = resources.patient(managingOrganization={"reference": "Organization/op-999"})
    issue = _refused(
        client.post("/fhir/Patient", json=patient), "Patient.managingOrganization", "not-found"
    )
    assert "op-999" in issue["diagnostics"]
    assert _count(engine, "patients") == 0
    made = client.post("/fhir/Organization", json=resources.organization())
    assert made.status_code == 201, made.text
    patient["managingOrganization"] = {"reference": f"Organization/{made.json()['id']}"}
    assert client.post("/fhir/Patient", json=patient).status_code == 201


def test_an_update_to_an_unknown_organization_or_patient_is_refused(
    client: TestClient, ref: str
) -> None:
    patient = copy.deepcopy(resources.patient())
    patient["managingOrganization"] = {"reference": "Organization/op-999"}
    _refused(client.put(f"/fhir/{ref}", json=patient), "Patient.managingOrganization")
    device = {"resourceType": "Device", "patient": {"reference": ref}}
    made = client.post("/fhir/Device", json=device)
    assert made.status_code == 201, made.text
    device["patient"] = {"reference": "Patient/999999"}
    _refused(client.put(f"/fhir/Device/{made.json()['id']}", json=device), "Device.patient")
