"""Apps of the security tests: the real app with chosen security options, and tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance import config
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from telesurveillance.web import app
from telesurveillance.web.security import hardening

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Correct-horse-9"

SecureClient = Callable[..., TestClient]


@pytest.fixture
def secure_client(engine: sa.Engine, tmp_path: Path) -> SecureClient:
    """`secure_client(**options)`: an anonymous TestClient of the real app with the security
    options given (production defaults otherwise, but cookies allowed over plain HTTP)."""

    def make(**options: object) -> TestClient:
        chosen = hardening.Options(**{"secure_cookies": False, **options})  # type: ignore[arg-type]
        settings = config.Settings(database_url=str(engine.url), data_dir=tmp_path)
        built = app.create_app(settings, engine=engine, now=lambda: NOW, security_options=chosen)
        return TestClient(built, raise_server_exceptions=False)

    return make


@pytest.fixture
def token(engine: sa.Engine) -> Callable[..., str]:
    """`token(role, patient_id=None, device=False)`: a new API token's secret."""

    def make(role: str = "medecin", patient_id: int | None = None, device: bool = False) -> str:
        store = security_accounts.SqlAccounts(engine)
        _, secret = accounts.create_token(
            store, roles.Role(role), NOW, patient_id=patient_id, device=device
        )
        return secret

    return make


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
