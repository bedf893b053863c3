"""The FHIR R4 specification's vital-sign examples and the HL7 CGM IG's sensor readings through
the API, as a device or a clinical system would post them: single POSTs, a batch Bundle and
`$import`, each stored with its exact value, unit and instant, read back, counted on its Paris
day; the examples older than the LATM common law refused at their element."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import readings
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from tests.conftest import ClientFactory
from tests.web.fhir import resources

EXAMPLES = Path(__file__).parents[2] / "fixtures" / "fhir-r4-examples"
TABLE = measures.packaged()
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)

#: R4 example → (its effective element, the readings once its year is moved to 2025:
#: kind name, canonical value and unit, UTC instant)
R4: dict[str, tuple[str, list[tuple[str, float, str, str]]]] = {
    "observation-example-bloodpressure.json": (
        "Observation.effectiveDateTime",
        [
            ("pression_systolique", 107, "mm[Hg]", "2025-09-16T22:00:00Z"),
            ("pression_diastolique", 60, "mm[Hg]", "2025-09-16T22:00:00Z"),
        ],
    ),
    # 28 March 2025 is still winter time in Paris (summer time began on the 30th)
    "observation-example.json": (
        "Observation.effectiveDateTime",
        [("poids", 83.914588, "kg", "2025-03-27T23:00:00Z")],
    ),
    "observation-example-heart-rate.json": (
        "Observation.effectiveDateTime",
        [("frequence_cardiaque", 44, "/min", "2025-07-01T22:00:00Z")],
    ),
    "observation-example-respiratory-rate.json": (
        "Observation.effectiveDateTime",
        [("frequence_respiratoire", 26, "/min", "2025-07-01T22:00:00Z")],
    ),
    "observation-example-body-temperature.json": (
        "Observation.effectiveDateTime",
        [("temperature", 36.5, "Cel", "2025-07-01T22:00:00Z")],
    ),
    "observation-example-satO2.json": (
        "Observation.effectiveDateTime",
        [("spo2", 95, "%", "2025-12-05T08:30:10Z")],
    ),
    "observation-example-f001-glucose.json": (
        "Observation.effectivePeriod.start",
        [("glycemie", 113.5008, "mg/dL", "2025-04-02T08:30:10Z")],
    ),
    "observation-example-bmi.json": (
        "Observation.effectiveDateTime",
        [("imc", 16.2, "kg/m2", "2025-07-01T22:00:00Z")],
    ),
    "observation-example-body-height.json": (
        "Observation.effectiveDateTime",
        [("taille", 169.926, "cm", "2025-07-01T22:00:00Z")],
    ),
}
#: CGM IG examples (dated May 2024, inside the common law): posted unchanged but the subject
CGM: dict[str, tuple[str, float, str, str]] = {
    "cgm-sensor-reading-mass-per-volume.json": (
        "glucose_capteur",
        120,
        "mg/dL",
        "2024-05-02T10:15:00Z",
    ),
    "cgm-sensor-reading-moles-per-volume.json": (
        "glucose_capteur",
        120.7072,
        "mg/dL",
        "2024-05-02T10:30:00Z",
    ),
}


def example(name: str, patient_ref: str) -> dict[str, Any]:
    resource: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    resource["subject"] = {"reference": patient_ref}
    return resource


def in_2025(resource: dict[str, Any]) -> dict[str, Any]:
    """The example with the year of its effective time (whatever its precision) moved to
    2025, nothing else changed."""
    moved = dict(resource)
    if "effectiveDateTime" in moved:
        moved["effectiveDateTime"] = re.sub(r"^\d{4}", "2025", moved["effectiveDateTime"])
    if "effectivePeriod" in moved:
        moved["effectivePeriod"] = {
            key: re.sub(r"^\d{4}", "2025", value) for key, value in moved["effectivePeriod"].items()
        }
    return moved


def stored(engine: sa.Engine) -> list[tuple[int, int, int, float]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT patient_id, kind, ts, value FROM readings ORDER BY ts, kind")
        )
        return [(int(p), int(k), int(t), float(v)) for p, k, t, v in rows]


def expected(patient_ref: str, rows: list[tuple[str, float, str, str]]) -> list[Any]:
    pid = int(patient_ref.split("/")[1])
    return [
        (pid, TABLE.by_name(k).id, _ms(at), float(value))
        for k, value, _unit, at in sorted(rows, key=lambda r: (r[3], TABLE.by_name(r[0]).id))
    ]


def _ms(at: str) -> int:
    return reading.millis(dt.datetime.fromisoformat(at))


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client(now=lambda: NOW)


@pytest.fixture
def ref(client: TestClient) -> str:
    created = client.post("/fhir/Patient", json=resources.patient())
    assert created.status_code == 201, created.text
    return f"Patient/{created.json()['id']}"


@pytest.mark.parametrize("name", sorted(R4))
def test_an_r4_example_posted_unchanged_is_refused_as_older_than_the_common_law(
    client: TestClient, ref: str, engine: sa.Engine, name: str
) -> None:
    answer = client.post("/fhir/Observation", json=example(name, ref))
    assert answer.status_code == 422, answer.text
    issue = answer.json()["issue"][0]
    assert (issue["code"], issue["expression"]) == ("value", [R4[name][0]])
    assert "before 2023-07-01, the start of the LATM common law" in issue["diagnostics"]
    assert stored(engine) == []


@pytest.mark.parametrize("name", sorted(R4))
def test_an_r4_example_dated_in_the_common_law_is_stored_exactly_and_read_back(
    client: TestClient, ref: str, engine: sa.Engine, name: str
) -> None:
    rows = R4[name][1]
    created = client.post("/fhir/Observation", json=in_2025(example(name, ref)))
    assert created.status_code == 201, created.text
    assert stored(engine) == expected(ref, rows)
    body = created.json()
    assert body["effectiveDateTime"] == rows[0][3].replace("Z", ".000Z")
    quantities = [c["valueQuantity"] for c in body.get("component", [])] or [body["valueQuantity"]]
    assert [(q["value"], q["code"]) for q in quantities] == [(r[1], r[2]) for r in rows]
    assert client.get(f"/fhir/Observation/{body['id']}").json() == body


@pytest.mark.parametrize("name", sorted(CGM))
def test_a_cgm_ig_example_posted_unchanged_is_stored_exactly(
    client: TestClient, ref: str, engine: sa.Engine, name: str
) -> None:
    created = client.post("/fhir/Observation", json=example(name, ref))
    assert created.status_code == 201, created.text
    assert stored(engine) == expected(ref, [CGM[name]])
    assert created.json()["valueQuantity"]["code"] == "mg/dL"


def test_a_date_only_reading_counts_on_that_paris_day(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    weight = in_2025(example("observation-example.json", ref))
    assert client.post("/fhir/Observation", json=weight).status_code == 201
    with engine.connect() as conn:
        pid = int(ref.split("/")[1])
        assert readings.days(conn, pid) == {(dt.date(2025, 3, 28), TABLE.by_name("poids").id): 1}
        assert readings.days(conn, pid) == readings.recount(conn, pid)


def test_a_batch_of_the_examples_stores_them_all(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    entries = [
        {
            "resource": in_2025(example(name, ref)) if name in R4 else example(name, ref),
            "request": {"method": "POST", "url": "Observation"},
        }
        for name in sorted(R4) + sorted(CGM)
    ]
    answer = client.post(
        "/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": entries}
    )
    assert answer.status_code == 200, answer.text
    statuses = [e["response"]["status"] for e in answer.json()["entry"]]
    assert statuses == ["201 Created"] * len(entries)
    every = [row for name in sorted(R4) for row in R4[name][1]] + list(CGM.values())
    assert stored(engine) == expected(ref, every)


def test_import_takes_the_examples_and_refuses_the_old_ones_by_line(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    lines = [in_2025(example(name, ref)) for name in sorted(R4)]
    lines.append(example("observation-example-f001-glucose.json", ref))  # dated 2013
    body = "\n".join(json.dumps(line) for line in lines).encode()
    answer = client.post(
        "/fhir/$import", content=body, headers={"content-type": "application/fhir+ndjson"}
    )
    assert answer.status_code == 200, answer.text
    issues = answer.json()["issue"]
    assert issues[0]["diagnostics"].startswith(f"accepted {len(R4)}, duplicates 0, rejected 1")
    assert issues[1]["diagnostics"].startswith(f"line {len(lines)}: 2013-04-02T09:30:10+01:00")
    assert issues[1]["expression"] == ["Observation.effectivePeriod.start"]


def test_a_date_before_the_patients_birth_day_is_refused_at_its_element(
    client: TestClient, engine: sa.Engine
) -> None:
    born = client.post("/fhir/Patient", json=resources.patient(birthDate="2024-05-10"))
    ref = f"Patient/{born.json()['id']}"
    weight = example("observation-example.json", ref)
    weight["effectiveDateTime"] = "2024-05-09"
    answer = client.post("/fhir/Observation", json=weight)
    assert answer.status_code == 422, answer.text
    issue = answer.json()["issue"][0]
    assert issue["expression"] == ["Observation.effectiveDateTime"]
    assert "before the patient's birth date (2024-05-10)" in issue["diagnostics"]
    weight["effectiveDateTime"] = "2024-05-10"
    assert client.post("/fhir/Observation", json=weight).status_code == 201
    glucose = example("observation-example-f001-glucose.json", ref)
    glucose["effectivePeriod"] = {"start": "2024-05-08", "end": "2024-05-09T23:59:59+02:00"}
    answer = client.post("/fhir/Observation", json=glucose)
    assert answer.status_code == 422, answer.text
    assert answer.json()["issue"][0]["expression"] == ["Observation.effectivePeriod.end"]


def test_a_date_after_today_in_paris_is_refused(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    heart = example("observation-example-heart-rate.json", ref)
    heart["effectiveDateTime"] = "2026-03-02"
    answer = client.post("/fhir/Observation", json=heart)
    assert answer.status_code == 422, answer.text
    assert "after today (2026-03-01 in Paris)" in answer.json()["issue"][0]["diagnostics"]
    heart["effectiveDateTime"] = "2026-03-01"
    assert client.post("/fhir/Observation", json=heart).status_code == 201


def test_an_example_with_a_code_we_do_not_measure_is_refused_naming_the_coding(
    client: TestClient, ref: str, engine: sa.Engine
) -> None:
    panel = in_2025(example("observation-example-heart-rate.json", ref))
    panel["code"]["coding"][0]["code"] = "85353-1"  # the vital-signs panel of the examples
    answer = client.post("/fhir/Observation", json=panel)
    assert answer.status_code == 422, answer.text
    issue = answer.json()["issue"][0]
    assert (issue["code"], issue["expression"]) == (
        "code-invalid",
        ["Observation.code.coding[0].code"],
    )
    weight = in_2025(example("observation-example.json", ref))
    weight["valueQuantity"]["code"] = "[stone_av]"
    answer = client.post("/fhir/Observation", json=weight)
    assert answer.status_code == 422, answer.text
    assert answer.json()["issue"][0]["expression"] == ["Observation.valueQuantity.code"]
    assert stored(engine) == []
