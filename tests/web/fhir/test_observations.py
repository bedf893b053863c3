"""Observations in and out: normalised, stored once, searchable, on the right Paris day."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import readings
from tests.web.fhir import resources


def _pid(ref: str) -> int:
    return int(ref.split("/")[1])


def test_a_weight_in_pounds_is_stored_in_kilograms(fhir: TestClient, patient_ref: str) -> None:
    created = fhir.post(
        "/fhir/Observation", json=resources.weight(patient_ref, value=180, unit="[lb_av]")
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["valueQuantity"]["code"] == "kg"
    assert body["valueQuantity"]["value"] == 81.646627
    assert created.headers["location"].endswith(f"/fhir/Observation/{body['id']}")
    assert fhir.get(f"/fhir/Observation/{body['id']}").json() == body


def test_a_retry_stores_nothing_twice(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    first = fhir.post("/fhir/Observation", json=resources.weight(patient_ref))
    again = fhir.post("/fhir/Observation", json=resources.weight(patient_ref))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one() == 1


def test_a_reading_at_23_30_utc_in_winter_counts_on_the_next_paris_day(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    fhir.post("/fhir/Observation", json=resources.weight(patient_ref, "2026-01-14T23:30:00Z"))
    fhir.post("/fhir/Observation", json=resources.weight(patient_ref, "2026-01-14T22:59:59Z"))
    with engine.connect() as conn:
        days = readings.days(conn, _pid(patient_ref))
        assert days == {(dt.date(2026, 1, 14), 1): 1, (dt.date(2026, 1, 15), 1): 1}
        assert days == readings.recount(conn, _pid(patient_ref))


def test_a_blood_pressure_panel_is_stored_as_two_readings_and_read_back_as_the_panel(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    created = fhir.post("/fhir/Observation", json=resources.blood_pressure(patient_ref))
    assert created.status_code == 201, created.text
    with engine.connect() as conn:
        kinds = conn.execute(sa.text("SELECT kind FROM readings ORDER BY kind")).scalars().all()
    assert kinds == [2, 3]
    found = fhir.get("/fhir/Observation", params={"patient": _pid(patient_ref)}).json()
    assert len(found["entry"]) == 1
    panel = found["entry"][0]["resource"]
    assert panel["code"]["coding"][0]["code"] == "85354-9"
    values = [c["valueQuantity"]["value"] for c in panel["component"]]
    assert values == [130, 80]
    assert fhir.get(f"/fhir/Observation/{panel['id']}").json() == panel


def test_a_questionnaire_total_score_is_stored_as_the_symptom_score(
    fhir: TestClient, patient_ref: str
) -> None:
    created = fhir.post(
        "/fhir/QuestionnaireResponse", json=resources.questionnaire_response(patient_ref, total=7)
    )
    assert created.status_code == 201, created.text
    assert created.json()["code"]["coding"][0]["code"] == "score_symptomes"
    assert created.json()["valueQuantity"]["value"] == 7


def test_search_by_code_and_date_range(fhir: TestClient, patient_ref: str) -> None:
    for day in ("2026-01-10", "2026-01-14", "2026-01-20"):
        fhir.post("/fhir/Observation", json=resources.weight(patient_ref, f"{day}T08:00:00Z"))
    fhir.post("/fhir/Observation", json=resources.blood_pressure(patient_ref))
    pid = _pid(patient_ref)

    def dates(**params: str) -> list[str]:
        found = fhir.get("/fhir/Observation", params={"patient": str(pid), **params})
        assert found.status_code == 200, found.text
        return [e["resource"]["effectiveDateTime"][:10] for e in found.json()["entry"]]

    assert dates(code="http://loinc.org|29463-7") == ["2026-01-10", "2026-01-14", "2026-01-20"]
    assert dates(code="29463-7", date="ge2026-01-14") == ["2026-01-14", "2026-01-20"]
    assert dates(code="29463-7", date="gt2026-01-14") == ["2026-01-20"]
    assert dates(code="29463-7", date="lt2026-01-14") == ["2026-01-10"]
    assert dates(code="29463-7", date="le2026-01-14") == ["2026-01-10", "2026-01-14"]
    assert dates(code="29463-7", date="2026-01") == ["2026-01-10", "2026-01-14", "2026-01-20"]
    assert dates(code="85354-9") == ["2026-01-14"]


def test_paging_follows_next_links_until_every_reading_is_seen(
    fhir: TestClient, patient_ref: str
) -> None:
    for hour in range(7):
        fhir.post(
            "/fhir/Observation", json=resources.weight(patient_ref, f"2026-01-14T{hour:02}:00:00Z")
        )
    url: str | None = f"/fhir/Observation?patient={_pid(patient_ref)}&_count=3"
    seen: list[str] = []
    pages = 0
    while url is not None:
        page = fhir.get(url).json()
        pages += 1
        seen += [e["resource"]["id"] for e in page["entry"]]
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), None)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7


def test_the_capability_statement_lists_the_routes(fhir: TestClient) -> None:
    statement = fhir.get("/fhir/metadata").json()
    assert statement["fhirVersion"] == "4.0.1"
    types = {
        r["type"]: {i["code"] for i in r["interaction"]} for r in statement["rest"][0]["resource"]
    }
    assert types["Observation"] == {"create", "read", "update", "delete", "search-type"}
    assert types["Patient"] == {"create", "read", "update", "search-type"}


def test_listeners_get_the_new_readings_after_the_commit_and_cannot_fail_the_ingest(
    fhir: TestClient, patient_ref: str
) -> None:
    seen: list[list[readings.Reading]] = []

    def broken(_new: object) -> None:
        raise RuntimeError("alert engine down")

    listeners = fhir.app.state.services.after_ingest  # type: ignore[attr-defined]
    listeners += [broken, lambda new: seen.append(list(new))]
    assert fhir.post("/fhir/Observation", json=resources.weight(patient_ref)).status_code == 201
    assert fhir.post("/fhir/Observation", json=resources.weight(patient_ref)).status_code == 200
    assert len(seen) == 1
    assert [r.kind for r in seen[0]] == [1]


def test_a_questionnaire_response_without_a_total_is_refused(
    fhir: TestClient, patient_ref: str
) -> None:
    response = resources.questionnaire_response(patient_ref)
    response["item"] = response["item"][:1]
    answer = fhir.post("/fhir/QuestionnaireResponse", json=response)
    assert answer.status_code == 422
    assert answer.json()["issue"][0]["expression"] == ["QuestionnaireResponse.item"]
