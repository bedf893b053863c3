"""What a request writes is authorised on the very objects written: the handler's one parse.

A patient or device token writes readings about its own patient only, whatever the framing of
the body (one JSON document, a JSON document spread over several lines, NDJSON, a Bundle); the
audit trail names the patients actually written, and those refused.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql.security import audit
from tests.conftest import ClientFactory
from tests.web.fhir import resources

NDJSON = {"content-type": "application/fhir+ndjson"}


def _patients(make_client: ClientFactory) -> tuple[int, int]:
    admin = make_client()
    ids = []
    for family in ("AAA", "BBB"):
        created = admin.post("/fhir/Patient", json=resources.patient(nir=None, family=family))
        assert created.status_code == 201, created.text
        ids.append(int(created.json()["id"]))
    return ids[0], ids[1]


def _readings(engine: sa.Engine) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT patient_id, ts FROM readings ORDER BY 1, 2")).all()
    return [(int(p), int(t)) for p, t in rows]


def _smuggling(a: int, b: int) -> bytes:
    """The probe's body: one Observation for A whose JSON spans lines, its `contained`
    resources each on a line of its own starting with a space: an Observation for B, then one
    more for A (the commas on lines of their own). Read whole, it is one document about A; cut
    at line feeds, line 2 is an Observation for B and line 4 one for A."""
    carrier = resources.weight(f"Patient/{a}", "2026-02-01T08:00:00Z")
    for_b = json.dumps(resources.weight(f"Patient/{b}", "2026-02-01T09:00:00Z"))
    for_a = json.dumps(resources.weight(f"Patient/{a}", "2026-02-01T10:00:00Z"))
    head = json.dumps({**carrier, "contained": ["@"]}).split('"@"')[0]
    return f"{head}\n {for_b}\n ,\n {for_a}\n]}}".encode()


def test_an_observation_for_another_patient_smuggled_on_a_line_of_its_own_is_not_written(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    a, b = _patients(make_client)
    body = _smuggling(a, b)
    assert json.loads(body)["subject"] == {"reference": f"Patient/{a}"}  # one document, for A
    device = make_client(role="patient", patient_id=a, device=True)
    answer = device.post(
        "/fhir/$import", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert answer.status_code == 403
    issues = answer.json()["issue"]
    assert issues[0]["diagnostics"].startswith("accepted 1, duplicates 0, rejected 4")
    assert issues[1]["code"] == "forbidden"
    assert issues[1]["diagnostics"].startswith(f"line 2: Patient/{b} is outside")
    assert [p for p, _ in _readings(engine)] == [a]  # line 4, its own
    # the audit names the patient written (line 4) and the one refused (line 2)
    import_events = [
        (e.patient_id, e.status)
        for e in audit.SqlAuditLog(engine).events()
        if e.route == "fhir.import"
    ]
    assert sorted(import_events) == [(a, 200), (b, 403)]


def test_a_mixed_import_keeps_the_lines_in_scope_and_refuses_the_others_by_number(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    a, b = _patients(make_client)
    lines = [
        json.dumps(resources.weight(f"Patient/{p}", f"2026-02-0{d}T08:00:00Z"))
        for d, p in enumerate((a, b, a, b), start=1)
    ]
    patient = make_client(role="patient", patient_id=a)
    answer = patient.post("/fhir/$import", content="\n".join(lines).encode(), headers=NDJSON)
    assert answer.status_code == 403
    issues = answer.json()["issue"]
    assert issues[0]["diagnostics"] == (
        "accepted 2, duplicates 0, rejected 2 (2 new readings); "
        "2 of the rejected lines are forbidden to you"
    )
    assert [(i["code"], i["diagnostics"][:7]) for i in issues[1:]] == [
        ("forbidden", "line 2:"),
        ("forbidden", "line 4:"),
    ]
    assert [p for p, _ in _readings(engine)] == [a, a]


def test_a_patient_token_posting_one_observation_for_another_patient_gets_403(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    a, b = _patients(make_client)
    patient = make_client(role="patient", patient_id=a)
    answer = patient.post("/fhir/Observation", json=resources.weight(f"Patient/{b}"))
    assert answer.status_code == 403
    assert answer.json()["issue"][0]["expression"] == ["Observation.subject"]
    questionnaire = resources.questionnaire_response(f"Patient/{b}")
    assert patient.post("/fhir/QuestionnaireResponse", json=questionnaire).status_code == 403
    assert _readings(engine) == []
    own = patient.post("/fhir/Observation", json=resources.weight(f"Patient/{a}"))
    assert own.status_code == 201
    events = [(e.patient_id, e.status) for e in audit.SqlAuditLog(engine).events()]
    assert sorted(events[:3]) == [(a, 201), (b, 403), (b, 403)]


def test_a_patient_that_does_not_exist_is_refused_as_out_of_scope_not_as_unknown(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    a, _b = _patients(make_client)
    patient = make_client(role="patient", patient_id=a)
    answer = patient.post("/fhir/Observation", json=resources.weight("Patient/424242"))
    assert answer.status_code == 403  # no oracle of which patients exist


def _bundle(kind: str, *resources_: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"resource": r, "request": {"method": "POST", "url": r["resourceType"]}}
            for r in resources_
        ],
    }


def test_a_batch_writes_the_entries_in_scope_and_refuses_the_others_with_403(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    a, b = _patients(make_client)
    device = make_client(role="patient", patient_id=a, device=True)
    mine, theirs = resources.weight(f"Patient/{a}"), resources.weight(f"Patient/{b}")
    answer = device.post("/fhir", json=_bundle("batch", mine, theirs))
    assert answer.status_code == 200
    first, second = (e["response"] for e in answer.json()["entry"])
    assert first["status"] == "201 Created"
    assert second["status"] == "403"
    assert second["outcome"]["issue"][0]["expression"] == ["Bundle.entry[1].resource.subject"]
    assert [p for p, _ in _readings(engine)] == [a]


def test_a_transaction_with_one_entry_out_of_scope_writes_nothing(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    a, b = _patients(make_client)
    device = make_client(role="patient", patient_id=a, device=True)
    mine = resources.weight(f"Patient/{a}", "2026-02-01T08:00:00Z")
    theirs = resources.weight(f"Patient/{b}")
    answer = device.post("/fhir", json=_bundle("transaction", mine, theirs))
    assert answer.status_code == 403
    assert answer.json()["issue"][0]["expression"] == ["Bundle.entry[1].resource.subject"]
    assert _readings(engine) == []


def test_a_staff_import_names_every_patient_written_in_the_audit_trail(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    a, b = _patients(make_client)
    lines = [
        json.dumps(resources.weight(f"Patient/{p}", f"2026-02-0{d}T08:00:00Z"))
        for p in (a, b)
        for d in (1, 2)
    ]
    medecin = make_client(role="medecin")
    answer = medecin.post("/fhir/$import", content="\n".join(lines).encode(), headers=NDJSON)
    assert answer.status_code == 200, answer.text
    events = [
        (e.patient_id, e.status)
        for e in audit.SqlAuditLog(engine).events()
        if e.route == "fhir.import"
    ]
    assert sorted(events) == [(a, 200), (b, 200)]


def test_a_patient_created_names_itself_in_the_audit_trail(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    created = make_client(role="medecin").post("/fhir/Patient", json=resources.patient(nir=None))
    (event,) = audit.SqlAuditLog(engine).events()
    assert (event.patient_id, event.status) == (int(created.json()["id"]), 201)
