"""Alerts are not lost when the evaluation after a commit fails: every write path of the API
leaves its readings pending, and the server's catch-up judges them (issue 12, finding 5)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.adapters.sql.core import readings
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import pending
from tests.adapters.alerts import seed
from tests.conftest import ClientFactory
from tests.web.fhir import resources

NOW = seed.at(dt.date(2026, 2, 10), 12)
AT = "2026-02-10T09:00:00Z"
FHIR = {"Content-Type": "application/fhir+json"}


def _now() -> dt.datetime:
    return NOW


def _spo2(pid: int, value: float = 80.0, at: str = AT) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": resources.LOINC, "code": "2708-6"}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": at,
        "valueQuantity": {"value": value, "unit": "%", "system": resources.UCUM, "code": "%"},
    }


def _single(client: TestClient, pid: int) -> int:
    return client.post("/fhir/Observation", json=_spo2(pid), headers=FHIR).status_code


def _bundle(client: TestClient, pid: int) -> int:
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"resource": _spo2(pid), "request": {"method": "POST", "url": "Observation"}},
        ],
    }
    return client.post("/fhir", json=bundle, headers=FHIR).status_code


def _import(client: TestClient, pid: int) -> int:
    body = json.dumps(_spo2(pid)) + "\n"
    headers = {"Content-Type": "application/fhir+ndjson"}
    return client.post("/fhir/$import", content=body, headers=headers).status_code


WRITE_PATHS = [
    pytest.param(_single, id="observation"),
    pytest.param(_bundle, id="bundle"),
    pytest.param(_import, id="ndjson-import"),
]


def _failing(*_args: object, **_kwargs: object) -> pending.Judged:
    raise RuntimeError("evaluation down")


def _pending(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(tables.alert_pending)).scalar_one()
        )


@pytest.mark.parametrize("write", WRITE_PATHS)
def test_the_listener_judges_a_reading_at_once_on_every_write_path(
    engine: sa.Engine, make_client: ClientFactory, write: Any
) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    client = make_client(role="medecin", now=_now)
    assert write(client, pid) in (200, 201)
    [row] = seed.alert_rows(engine)
    assert row.rule_id == "ir.spo2.basse"
    assert _pending(engine) == 0


@pytest.mark.parametrize("write", WRITE_PATHS)
def test_a_listener_that_raises_leaves_the_reading_to_the_catch_up(
    engine: sa.Engine,
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    write: Any,
) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    client = make_client(role="medecin", now=_now)
    monkeypatch.setattr(pending, "drain", _failing)
    assert write(client, pid) in (200, 201)  # the reading is stored and acknowledged
    assert seed.alert_rows(engine) == []
    assert _pending(engine) == 1
    monkeypatch.undo()
    judged = client.app.state.alerts_evaluator.run_once()  # type: ignore[attr-defined]
    assert (judged.readings, len(judged.opened)) == (1, 1)
    [row] = seed.alert_rows(engine)
    assert (row.patient_id, row.rule_id) == (pid, "ir.spo2.basse")
    assert _pending(engine) == 0


def test_a_retry_of_a_request_whose_evaluation_was_lost_is_judged_by_the_catch_up(
    engine: sa.Engine, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retry finds the reading stored (200, nothing new to hand over): only the outbox
    remembers that it was never judged."""
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    client = make_client(role="medecin", now=_now)
    monkeypatch.setattr(pending, "drain", _failing)
    assert _single(client, pid) == 201
    monkeypatch.undo()
    assert _single(client, pid) == 200
    assert seed.alert_rows(engine) == []
    client.app.state.alerts_evaluator.run_once()  # type: ignore[attr-defined]
    assert len(seed.alert_rows(engine)) == 1


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _store_unjudged(engine: sa.Engine, batch: Sequence[reading.Reading]) -> None:
    with database.writing(engine) as conn:
        readings.store(conn, batch)


def test_the_server_catches_up_when_it_starts(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    """Readings committed by a server that died before judging them are judged by the next
    server as it starts (its lifespan starts the catch-up)."""
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    _store_unjudged(engine, [reading.Reading(pid, seed.SPO2, seed.ts(NOW), 80.0)])
    client = make_client(role="medecin", now=_now)
    with client:  # runs the app's startup and shutdown
        _wait(lambda: bool(seed.alert_rows(engine)))
    [row] = seed.alert_rows(engine)
    assert row.rule_id == "ir.spo2.basse"
    assert _pending(engine) == 0


def test_a_running_server_judges_readings_off_the_request_path(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    """Started (lifespan), the app hands each commit to its evaluation thread: the alert follows
    the acknowledgement, and normal readings leave nothing pending."""
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    client = make_client(role="medecin", now=_now)
    with client:
        normal = client.post("/fhir/Observation", json=_spo2(pid, value=96.0), headers=FHIR)
        assert normal.status_code == 201
        low = _spo2(pid, value=80.0, at="2026-02-10T10:00:00Z")
        assert client.post("/fhir/Observation", json=low, headers=FHIR).status_code == 201
        _wait(lambda: len(seed.alert_rows(engine)) == 2 and not _pending(engine))
    # the low reading: below 88 %, and a fall of 16 points in 24 hours
    assert sorted(row.rule_id for row in seed.alert_rows(engine)) == [
        "ir.spo2.baisse_24h",
        "ir.spo2.basse",
    ]
    assert _pending(engine) == 0


def test_what_the_thread_was_handed_is_judged_when_the_app_stops(
    engine: sa.Engine, make_client: ClientFactory
) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    client = make_client(role="medecin", now=_now)
    with client:
        evaluator = client.app.state.alerts_evaluator  # type: ignore[attr-defined]
        _wait(lambda: not _pending(engine))
        _store_unjudged(engine, [reading.Reading(pid, seed.SPO2, seed.ts(NOW), 80.0)])
        evaluator.submit({(pid, seed.SPO2)})
    assert len(seed.alert_rows(engine)) == 1
    assert _pending(engine) == 0
