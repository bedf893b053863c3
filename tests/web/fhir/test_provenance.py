"""Provenance (issue 17): each reading keeps who sent it and the identifiers it was given."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.security import accounts as sql_accounts
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from tests.conftest import ClientFactory
from tests.web.fhir import resources


def _pid(ref: str) -> int:
    return int(ref.split("/")[1])


def _device(engine: sa.Engine, patient_id: int | None, dmn: bool = True) -> tuple[int, int | None]:
    """A Device (of `patient_id`) of a DMN of the catalogue: (device id, DMN id)."""
    with database.writing(engine) as conn:
        dmn_id = None
        if dmn:
            maker = conn.execute(
                sa.insert(tables.exploitants)
                .values(name="Fabricant")
                .returning(tables.exploitants.c.id)
            ).scalar_one()
            dmn_id = conn.execute(
                sa.insert(tables.dmns)
                .values(exploitant_id=maker, name="Balance connectée", benefit="medical")
                .returning(sa.literal_column("id", sa.Integer))
            ).scalar_one()
        device_id = conn.execute(
            sa.insert(tables.devices)
            .values(dmn_id=dmn_id, patient_id=patient_id, serial="SN-1")
            .returning(sa.literal_column("id", sa.Integer))
        ).scalar_one()
    return int(device_id), dmn_id


def _sources(engine: sa.Engine) -> list[dict[str, Any]]:
    s = tables.reading_sources.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(s.kind, s.device_id, s.dmn_id, s.token_id, s.label))
        return [dict(r._mapping) for r in rows]


def _rows(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_the_identifiers_sent_are_read_back_by_id_and_by_search(
    fhir: TestClient, patient_ref: str
) -> None:
    sent = resources.weight(patient_ref)
    sent["identifier"] = [
        {"system": "urn:maker:record", "value": "R-17"},
        {"value": "local-3"},
    ]
    created = fhir.post("/fhir/Observation", json=sent)
    assert created.status_code == 201, created.text
    assert created.json()["identifier"] == sent["identifier"]
    read = fhir.get(f"/fhir/Observation/{created.json()['id']}").json()
    assert read["identifier"] == sent["identifier"]
    found = fhir.get("/fhir/Observation", params={"patient": _pid(patient_ref)}).json()
    assert found["entry"][0]["resource"]["identifier"] == sent["identifier"]


def test_an_observation_without_identifier_is_read_back_without_one(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    sent = resources.weight(patient_ref)
    del sent["identifier"]
    created = fhir.post("/fhir/Observation", json=sent)
    assert "identifier" not in fhir.get(f"/fhir/Observation/{created.json()['id']}").json()
    assert _rows(engine, tables.reading_identifiers) == 0


def test_a_retry_keeps_the_identifiers_of_the_first_write(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    first = resources.weight(patient_ref)
    again = resources.weight(patient_ref)
    again["identifier"] = [{"system": "urn:other", "value": "X"}]
    assert fhir.post("/fhir/Observation", json=first).status_code == 201
    retried = fhir.post("/fhir/Observation", json=again)
    assert retried.status_code == 200
    assert retried.json()["identifier"] == first["identifier"]
    assert _rows(engine, tables.reading_identifiers) == 1


def test_the_device_named_by_the_observation_is_its_sender_with_its_dmn(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    device_id, dmn_id = _device(engine, _pid(patient_ref))
    sent = {**resources.weight(patient_ref), "device": {"reference": f"Device/{device_id}"}}
    created = fhir.post("/fhir/Observation", json=sent)
    assert created.status_code == 201, created.text
    read = fhir.get(f"/fhir/Observation/{created.json()['id']}").json()
    assert read["device"] == {"reference": f"Device/{device_id}"}
    [source] = _sources(engine)
    assert (source["kind"], source["device_id"], source["dmn_id"]) == ("fhir", device_id, dmn_id)
    assert source["token_id"] is not None


def test_an_unknown_device_refuses_the_observation_naming_the_element(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    sent = {**resources.weight(patient_ref), "device": {"reference": "Device/999999"}}
    refused = fhir.post("/fhir/Observation", json=sent)
    assert refused.status_code == 422
    issue = refused.json()["issue"][0]
    assert issue["expression"] == ["Observation.device"]
    assert "Device/999999" in issue["diagnostics"]
    assert _rows(engine, tables.readings) == 0


def test_in_a_batch_an_unknown_device_fails_its_entry_alone(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    device_id, _dmn = _device(engine, _pid(patient_ref))
    good = {**resources.weight(patient_ref), "device": {"reference": f"Device/{device_id}"}}
    unknown = {
        **resources.weight(patient_ref, at="2026-01-15T07:00:00Z"),
        "device": {"reference": "Device/999999"},
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"resource": r, "request": {"method": "POST", "url": "Observation"}}
            for r in (good, unknown)
        ],
    }
    answer = fhir.post("/fhir", json=bundle)
    assert answer.status_code == 200, answer.text
    first, second = (e["response"] for e in answer.json()["entry"])
    assert first["status"] == "201 Created"
    assert second["status"].startswith("422")
    assert "Device/999999" in second["outcome"]["issue"][0]["diagnostics"]
    with engine.connect() as conn:
        stored = conn.execute(sa.select(tables.readings.c.source_id)).scalars().all()
    assert len(stored) == 1
    [source] = _sources(engine)
    assert source["device_id"] == device_id


def test_a_batch_naming_several_devices_records_each_readings_own_sender_in_one_write(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    """Issue 18: the senders of a Bundle are found or made together (a fixed number of
    statements, not three a device) and every reading records its own device and DMN."""
    devices = [_device(engine, _pid(patient_ref)) for _ in range(3)]
    named = [
        (device_id, f"2026-01-1{4 + n}T07:00:00Z") for n, (device_id, _d) in enumerate(devices)
    ]
    named.append((999999, "2026-01-18T07:00:00Z"))  # unknown: this entry alone is refused
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "resource": {
                    **resources.weight(patient_ref, at=at),
                    "device": {"reference": f"Device/{device_id}"},
                },
                "request": {"method": "POST", "url": "Observation"},
            }
            for device_id, at in named
        ],
    }
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "reading_sources" in statement:
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        answer = fhir.post("/fhir", json=bundle)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert answer.status_code == 200, answer.text
    statuses = [e["response"]["status"] for e in answer.json()["entry"]]
    assert statuses[:3] == ["201 Created"] * 3
    assert statuses[3].startswith("422")
    assert len(statements) <= 3  # the rows there, the missing ones made, read once more
    r, s, m = tables.readings.c, tables.reading_sources.c, tables.reading_dmn_days.c
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(s.device_id, s.dmn_id).join_from(
                tables.readings, tables.reading_sources, r.source_id == s.id
            )
        ).all()
        per_dmn = dict(conn.execute(sa.select(m.dmn_id, m.n)).all())
    assert sorted(stored) == sorted(devices)
    assert per_dmn == {dmn_id: 1 for _device_id, dmn_id in devices}


def test_another_patients_device_refuses_the_observation(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    other = fhir.post("/fhir/Patient", json=resources.patient(nir=None, family="AUTRE")).json()
    device_id, _dmn = _device(engine, int(other["id"]))
    sent = {**resources.weight(patient_ref), "device": {"reference": f"Device/{device_id}"}}
    refused = fhir.post("/fhir/Observation", json=sent)
    assert refused.status_code == 422
    assert refused.json()["issue"][0]["expression"] == ["Observation.device"]


def test_a_device_reference_to_another_server_leaves_the_sender_unknown(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    sent = {**resources.weight(patient_ref), "device": {"reference": "#scale"}}
    created = fhir.post("/fhir/Observation", json=sent)
    assert created.status_code == 201, created.text
    assert "device" not in fhir.get(f"/fhir/Observation/{created.json()['id']}").json()
    [source] = _sources(engine)
    assert source["device_id"] is None


def test_a_bulk_import_keeps_each_lines_identifiers_and_device(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    device_id, dmn_id = _device(engine, _pid(patient_ref))
    lines = [
        {
            **resources.weight(patient_ref, "2026-01-14T08:00:00Z"),
            "device": {"reference": f"Device/{device_id}"},
        },
        resources.weight(patient_ref, "2026-01-15T08:00:00Z"),
        {
            **resources.weight(patient_ref, "2026-01-16T08:00:00Z"),
            "device": {"reference": "Device/999999"},
        },
    ]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    done = fhir.post(
        "/fhir/$import", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert done.status_code == 200, done.text
    issues = done.json()["issue"]
    assert issues[0]["diagnostics"].startswith("accepted 2, duplicates 0, rejected 1")
    assert issues[1]["diagnostics"].startswith("line 3: unknown device Device/999999")
    assert issues[1]["expression"] == ["Observation.device"]
    found = fhir.get("/fhir/Observation", params={"patient": _pid(patient_ref)}).json()
    shown = {e["resource"]["effectiveDateTime"]: e["resource"] for e in found["entry"]}
    assert shown["2026-01-14T08:00:00.000Z"]["device"] == {"reference": f"Device/{device_id}"}
    assert "device" not in shown["2026-01-15T08:00:00.000Z"]
    assert shown["2026-01-15T08:00:00.000Z"]["identifier"] == lines[1]["identifier"]
    assert len(shown) == 2
    senders = {(s["kind"], s["device_id"], s["dmn_id"]) for s in _sources(engine)}
    assert senders == {("import", device_id, dmn_id), ("import", None, None)}


def _device_token_client(
    make_client: ClientFactory, engine: sa.Engine, patient_id: int, device_id: int
) -> TestClient:
    client = make_client("patient", patient_id=patient_id, device=True)
    secret = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
    sql_accounts.SqlAccounts(engine).add_token(
        accounts.digest(secret),
        "scale",
        roles.Role.PATIENT,
        patient_id,
        None,
        True,
        dt.datetime.now(dt.UTC),
        None,
        device_id,
    )
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def test_a_device_tokens_readings_are_sent_by_its_device(
    make_client: ClientFactory, fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    device_id, dmn_id = _device(engine, _pid(patient_ref))
    scale = _device_token_client(make_client, engine, _pid(patient_ref), device_id)
    created = scale.post("/fhir/Observation", json=resources.weight(patient_ref))
    assert created.status_code == 201, created.text
    assert created.json()["device"] == {"reference": f"Device/{device_id}"}
    [source] = _sources(engine)
    assert (source["device_id"], source["dmn_id"]) == (device_id, dmn_id)


def test_a_device_tokens_body_may_not_name_another_device(
    make_client: ClientFactory, patient_ref: str, engine: sa.Engine
) -> None:
    mine, _dmn = _device(engine, _pid(patient_ref))
    other, _other_dmn = _device(engine, _pid(patient_ref))
    scale = _device_token_client(make_client, engine, _pid(patient_ref), mine)
    sent = {**resources.weight(patient_ref), "device": {"reference": f"Device/{other}"}}
    refused = scale.post("/fhir/Observation", json=sent)
    assert refused.status_code == 403
    assert refused.json()["issue"][0]["expression"] == ["Observation.device"]
    same = {**resources.weight(patient_ref), "device": {"reference": f"Device/{mine}"}}
    assert scale.post("/fhir/Observation", json=same).status_code == 201
    assert _rows(engine, tables.readings) == 1


def test_a_token_is_issued_only_for_a_device_of_its_patient(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    other = fhir.post("/fhir/Patient", json=resources.patient(nir=None, family="AUTRE")).json()
    theirs, _dmn = _device(engine, int(other["id"]))
    store = sql_accounts.SqlAccounts(engine)
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(accounts.AccountError, match="another patient's device"):
        accounts.create_token(
            store,
            roles.Role.PATIENT,
            now,
            patient_id=_pid(patient_ref),
            device=True,
            device_id=theirs,
        )
    with pytest.raises(accounts.AccountError, match="no device"):
        accounts.create_token(
            store,
            roles.Role.PATIENT,
            now,
            patient_id=_pid(patient_ref),
            device=True,
            device_id=999999,
        )
    with pytest.raises(accounts.AccountError, match="only a device token"):
        accounts.create_token(
            store, roles.Role.PATIENT, now, patient_id=_pid(patient_ref), device_id=theirs
        )


def _amended(resource: dict[str, Any], device_id: int, value: float) -> dict[str, Any]:
    return {
        **resource,
        "status": "amended",
        "identifier": [{"system": "urn:maker:record", "value": "R-17-bis"}],
        "device": {"reference": f"Device/{device_id}"},
        "valueQuantity": {**resource["valueQuantity"], "value": value},
    }


def _read_back(fhir: TestClient, patient_ref: str) -> dict[str, Any]:
    found = fhir.get("/fhir/Observation", params={"patient": _pid(patient_ref)}).json()
    [entry] = found["entry"]
    resource: dict[str, Any] = entry["resource"]
    return resource


def test_a_correction_by_bulk_import_records_the_sender_of_the_new_value(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    first = resources.weight(patient_ref, "2026-01-14T08:00:00Z")
    assert fhir.post("/fhir/Observation", json=first).status_code == 201
    device_id, dmn_id = _device(engine, _pid(patient_ref))
    body = json.dumps(_amended(first, device_id, 79.0)).encode()
    done = fhir.post(
        "/fhir/$import", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert done.status_code == 200, done.text
    shown = _read_back(fhir, patient_ref)
    assert shown["valueQuantity"]["value"] == 79.0
    assert shown["device"] == {"reference": f"Device/{device_id}"}
    assert shown["identifier"] == [{"system": "urn:maker:record", "value": "R-17-bis"}]
    with engine.connect() as conn:
        counted = conn.execute(sa.select(tables.reading_dmn_days.c.dmn_id)).scalars().all()
    assert counted == [dmn_id]


def test_a_correction_in_a_batch_records_its_sender_and_an_unknown_device_fails_it_alone(
    fhir: TestClient, patient_ref: str, engine: sa.Engine
) -> None:
    one = resources.weight(patient_ref, "2026-01-14T08:00:00Z")
    two = resources.weight(patient_ref, "2026-01-15T08:00:00Z")
    ids = [fhir.post("/fhir/Observation", json=sent).json()["id"] for sent in (one, two)]
    device_id, _dmn = _device(engine, _pid(patient_ref))
    bundle = {  # in a Bundle, a PUT replaces (a POST stores: the first value wins)
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "resource": {**r, "id": key},
                "request": {"method": "PUT", "url": f"Observation/{key}"},
            }
            for r, key in zip(
                (_amended(one, device_id, 79.0), _amended(two, 999999, 78.0)), ids, strict=True
            )
        ],
    }
    answer = fhir.post("/fhir", json=bundle)
    assert answer.status_code == 200, answer.text
    first, second = (e["response"] for e in answer.json()["entry"])
    assert first["status"].startswith("200"), first
    assert second["status"].startswith("422"), second
    assert "Device/999999" in second["outcome"]["issue"][0]["diagnostics"]
    found = fhir.get("/fhir/Observation", params={"patient": _pid(patient_ref)}).json()
    corrected, untouched = sorted(
        (e["resource"] for e in found["entry"]), key=lambda r: r["effectiveDateTime"]
    )
    assert corrected["valueQuantity"]["value"] == 79.0
    assert corrected["device"] == {"reference": f"Device/{device_id}"}
    assert untouched["valueQuantity"]["value"] == 80.5
    assert "device" not in untouched


def test_a_device_tokens_other_device_is_refused_in_a_bundle_and_an_import_too(
    make_client: ClientFactory, patient_ref: str, engine: sa.Engine
) -> None:
    mine, _dmn = _device(engine, _pid(patient_ref))
    other, _other_dmn = _device(engine, _pid(patient_ref))
    scale = _device_token_client(make_client, engine, _pid(patient_ref), mine)
    sent = {**resources.weight(patient_ref), "device": {"reference": f"Device/{other}"}}
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"resource": sent, "request": {"method": "POST", "url": "Observation"}}],
    }
    answer = scale.post("/fhir", json=bundle)
    assert answer.status_code == 200, answer.text
    entry = answer.json()["entry"][0]["response"]
    assert entry["status"] == "403"
    assert entry["outcome"]["issue"][0]["expression"] == ["Bundle.entry[0].resource.device"]
    good = resources.weight(patient_ref, "2026-01-15T08:00:00Z")
    lines = [json.dumps(sent), json.dumps(good)]  # one bad line among good ones
    done = scale.post(
        "/fhir/$import",
        content="\n".join(lines).encode(),
        headers={"content-type": "application/x-ndjson"},
    )
    assert done.status_code == 200, done.text
    issues = done.json()["issue"]
    assert issues[0]["diagnostics"].startswith("accepted 1, duplicates 0, rejected 1")
    assert issues[1]["code"] == "forbidden"
    assert issues[1]["diagnostics"].startswith("line 1: ")
    assert _rows(engine, tables.readings) == 1
    [source] = [s for s in _sources(engine) if s["kind"] == "import"]
    assert source["device_id"] == mine  # the good line is the token's device's
