"""Clinical safety: a reading dated in the future (beyond the clock tolerance), before the LATM
common law or before the patient's birth is refused on every ingestion path, naming the element,
and nothing of it is written."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.web.fhir import resources

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
#: the default clock tolerance (TELESURVEILLANCE_CLOCK_TOLERANCE_SECONDS unset)
LATEST = NOW + dt.timedelta(minutes=5)
#: 1 July 2023 00:00 in Paris (summer time), the first day of the LATM common law
COMMON_LAW = dt.datetime(2023, 6, 30, 22, 0, tzinfo=dt.UTC)
#: a patient born after the common law began, so that its birth is the tighter floor
BORN = "2024-05-10"
BIRTH = dt.datetime(2024, 5, 9, 22, 0, tzinfo=dt.UTC)  # 10 May 2024 00:00 in Paris
MS = dt.timedelta(milliseconds=1)


def _at(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one())


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client(now=lambda: NOW)


@pytest.fixture
def ref(client: TestClient) -> str:
    created = client.post("/fhir/Patient", json=resources.patient(birthDate=BORN))
    assert created.status_code == 201, created.text
    return f"Patient/{created.json()['id']}"


def _refused(answer: Any, expression: str, words: str) -> None:
    assert answer.status_code == 422, answer.text
    issue = answer.json()["issue"][0]
    assert issue["expression"] == [expression]
    assert words in issue["diagnostics"]


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (LATEST + dt.timedelta(seconds=1), "in the future"),
        (NOW + dt.timedelta(hours=2), "in the future"),
        (dt.datetime(2099, 1, 1, tzinfo=dt.UTC), "in the future"),
        (BIRTH - dt.timedelta(seconds=1), "before the patient's birth date (2024-05-10)"),
        (COMMON_LAW - dt.timedelta(seconds=1), "before 2023-07-01"),
        (dt.datetime(1900, 1, 1, tzinfo=dt.UTC), "before 2023-07-01"),
    ],
    ids=[
        "1 s beyond the tolerance",
        "2 hours ahead",
        "2099",
        "before birth",
        "before LATM",
        "1900",
    ],
)
def test_an_implausible_instant_is_refused_at_its_element(
    client: TestClient, ref: str, engine: sa.Engine, moment: dt.datetime, words: str
) -> None:
    answer = client.post("/fhir/Observation", json=resources.weight(ref, _at(moment)))
    _refused(answer, "Observation.effectiveDateTime", words)
    assert _count(engine) == 0


def test_the_bounds_of_the_window_are_accepted(client: TestClient, ref: str) -> None:
    for moment in (LATEST, BIRTH, NOW):
        answer = client.post("/fhir/Observation", json=resources.weight(ref, _at(moment)))
        assert answer.status_code == 201, (moment, answer.text)


def test_the_common_law_bound_is_accepted_for_a_patient_born_before_it(
    client: TestClient, patient_ref: str
) -> None:
    ok = client.post("/fhir/Observation", json=resources.weight(patient_ref, _at(COMMON_LAW)))
    assert ok.status_code == 201, ok.text
    late = client.post(
        "/fhir/Observation", json=resources.weight(patient_ref, _at(COMMON_LAW - MS))
    )
    _refused(late, "Observation.effectiveDateTime", "before 2023-07-01")


def test_an_effective_instant_and_an_authored_date_are_judged_alike(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    instant = resources.weight(ref)
    del instant["effectiveDateTime"]
    instant["effectiveInstant"] = _at(LATEST + MS)
    _refused(client.post("/fhir/Observation", json=instant), "Observation.effectiveInstant", "")
    instant["effectiveInstant"] = _at(BIRTH - MS)
    _refused(
        client.post("/fhir/Observation", json=instant), "Observation.effectiveInstant", "birth"
    )
    answer = resources.questionnaire_response(ref)
    answer["authored"] = _at(LATEST + MS)
    _refused(
        client.post("/fhir/QuestionnaireResponse", json=answer),
        "QuestionnaireResponse.authored",
        "in the future",
    )
    answer["authored"] = _at(BIRTH - MS)
    _refused(
        client.post("/fhir/QuestionnaireResponse", json=answer),
        "QuestionnaireResponse.authored",
        "birth",
    )
    assert _count(engine) == 0


def test_the_model_path_refuses_as_the_fast_path_does(client: TestClient, ref: str) -> None:
    # a `note` is not in the fast path's common shape: the R4B model path judges it
    noted = resources.weight(ref, _at(LATEST + MS))
    noted["note"] = [{"text": "after the run"}]
    _refused(client.post("/fhir/Observation", json=noted), "Observation.effectiveDateTime", "")
    noted["effectiveDateTime"] = _at(LATEST)
    assert client.post("/fhir/Observation", json=noted).status_code == 201


def _entry(resource: dict[str, Any], full_url: str | None = None) -> dict[str, Any]:
    entry = {"resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}}
    return {**entry, "fullUrl": full_url} if full_url else entry


def test_a_batch_refuses_only_its_implausible_entries(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            _entry(resources.weight(ref, _at(NOW))),
            _entry(resources.weight(ref, "2099-01-01T00:00:00Z")),
            _entry(resources.weight(ref, _at(BIRTH - MS))),
        ],
    }
    answer = client.post("/fhir", json=bundle)
    assert answer.status_code == 200, answer.text
    responses = [e["response"] for e in answer.json()["entry"]]
    assert [r["status"] for r in responses] == ["201 Created", "422", "422"]
    assert [r["outcome"]["issue"][0]["expression"] for r in responses[1:]] == [
        ["Bundle.entry[1].resource.effectiveDateTime"],
        ["Bundle.entry[2].resource.effectiveDateTime"],
    ]
    assert _count(engine) == 1


def test_a_transaction_with_an_implausible_entry_writes_nothing(
    client: TestClient, engine: sa.Engine
) -> None:
    uuid = "urn:uuid:5b7c2d6e-0000-4000-8000-0000000000aa"
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            _entry(resources.patient(birthDate=BORN), uuid),
            _entry(resources.weight(uuid, _at(NOW))),
            _entry(resources.weight(uuid, _at(BIRTH - MS))),
        ],
    }
    answer = client.post("/fhir", json=bundle)
    _refused(answer, "Bundle.entry[2].resource.effectiveDateTime", "birth")
    assert _count(engine) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM patients")).scalar_one() == 0


def test_import_refuses_implausible_lines_by_number_and_keeps_the_good_ones(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    lines = [
        resources.weight(ref, _at(NOW)),
        resources.weight(ref, _at(NOW + dt.timedelta(hours=2))),
        resources.weight(ref, "1900-01-01T00:00:00Z"),
        resources.weight(ref, _at(BIRTH - MS)),
        resources.weight(ref, _at(NOW - dt.timedelta(hours=1))),
    ]
    answer = client.post(
        "/fhir/$import",
        content="\n".join(json.dumps(line) for line in lines).encode(),
        headers={"content-type": "application/x-ndjson"},
    )
    assert answer.status_code == 200, answer.text
    issues = answer.json()["issue"]
    assert issues[0]["diagnostics"].startswith("accepted 2, duplicates 0, rejected 3")
    assert [(i["diagnostics"].split(":")[0], i["expression"]) for i in issues[1:]] == [
        ("line 2", ["Observation.effectiveDateTime"]),
        ("line 3", ["Observation.effectiveDateTime"]),
        ("line 4", ["Observation.effectiveDateTime"]),
    ]
    assert _count(engine) == 2
