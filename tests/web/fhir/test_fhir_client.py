"""A real FHIR client library (fhirpy) against a real uvicorn server on loopback."""

from __future__ import annotations

import datetime as dt
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from fhirpy import SyncFHIRClient

from telesurveillance import config
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from telesurveillance.web import app
from telesurveillance.web.security import hardening
from tests.web.fhir import resources


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(engine: sa.Engine, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, bearer token) of the app served by uvicorn in a thread."""
    settings = config.Settings(database_url=str(engine.url), data_dir=tmp_path)
    options = hardening.Options(secure_cookies=False)
    application = app.create_app(settings, engine=engine, security_options=options)
    token = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
    security_accounts.SqlAccounts(engine).add_token(
        accounts.digest(token),
        "fhirpy test",
        roles.Role("administrateur"),
        None,
        None,
        False,
        dt.datetime.now(dt.UTC),
        None,
    )
    port = _free_port()
    uv = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert uv.started
    yield f"http://127.0.0.1:{port}/fhir", token
    uv.should_exit = True
    thread.join(timeout=10)


def test_fhirpy_creates_a_patient_posts_observations_and_searches_them_back(
    server: tuple[str, str],
) -> None:
    url, token = server
    client = SyncFHIRClient(url, authorization=f"Bearer {token}")
    patient = client.resource(
        "Patient", **{k: v for k, v in resources.patient().items() if k != "resourceType"}
    )
    patient.save()
    assert patient.id is not None
    for hour in range(3):
        observation = resources.weight(
            f"Patient/{patient.id}", f"2026-01-14T{hour:02}:00:00Z", value=80 + hour
        )
        client.resource(
            "Observation", **{k: v for k, v in observation.items() if k != "resourceType"}
        ).save()
    found = client.resources("Observation").search(patient=patient.id, code="29463-7")
    values = sorted(o["valueQuantity"]["value"] for o in found.fetch_all())
    assert values == [80, 81, 82]
    again = client.resources("Patient").search(identifier=resources.NIR).fetch_all()
    assert [p.id for p in again] == [patient.id]
