"""Fixtures of the FHIR API tests: an administrator client and a stored patient."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.web.fhir import resources


@pytest.fixture
def fhir(make_client: ClientFactory) -> TestClient:
    return make_client()


@pytest.fixture
def patient_ref(fhir: TestClient) -> str:
    created = fhir.post("/fhir/Patient", json=resources.patient())
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return f"Patient/{body['id']}"
