"""Shared fixtures: the packaged regulation, paths of the case files."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance import config
from telesurveillance.adapters.sql import database, migrate, tables
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.domain.access import roles
from telesurveillance.domain.regulation import store
from telesurveillance.services.security import accounts
from telesurveillance.web import app
from telesurveillance.web.security import hardening

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
SHARED_CASES = ROOT.parent / "shared" / "cases"


@pytest.fixture(scope="session")
def regulation() -> store.Regulation:
    return store.packaged()


# --- The store on both backends -------------------------------------------------------------
#
# Every test that takes `engine` runs twice: on an embedded SQLite file and on the PostgreSQL 15
# server started by scripts/test (TELESURVEILLANCE_TEST_PG_URL). The schema is migrated once per
# session (SQLite: into a template file copied per test; PostgreSQL: truncated between tests).

PG_URL = os.environ.get("TELESURVEILLANCE_TEST_PG_URL")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = database.create(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_engine() -> Iterator[sa.Engine]:
    if PG_URL is None:
        if os.environ.get("CI"):
            pytest.fail("TELESURVEILLANCE_TEST_PG_URL is not set: run the tests with scripts/test")
        pytest.skip("no PostgreSQL: run through scripts/test (TELESURVEILLANCE_TEST_PG_URL)")
    engine = database.create(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _truncate(engine: sa.Engine) -> None:
    names = [t.name for t in tables.metadata.sorted_tables]
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path
) -> Iterator[sa.Engine]:
    """A migrated, empty store: one run on SQLite, one on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite3"
        shutil.copyfile(_sqlite_template, path)
        sqlite_engine = database.create(f"sqlite:///{path}")
        yield sqlite_engine
        sqlite_engine.dispose()
        return
    pg_engine: sa.Engine = request.getfixturevalue("_pg_engine")
    _truncate(pg_engine)
    yield pg_engine


# --- The web application over the test store ------------------------------------------------

ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(engine: sa.Engine, tmp_path: Path) -> ClientFactory:
    """`make_client(role="administrateur", patient_id=None, now=None, exploitant_id=None,
    device=False, authenticated=True)`: a TestClient of the real app over the test store,
    carrying a fresh API token (`Authorization: Bearer`) for `role`, scoped to `patient_id`
    (patient) or `exploitant_id` (exploitant); `device=True` makes it a device token. The
    per-token rate limit is lifted (tests may fire thousands of requests); tests/web/security
    checks it with the production defaults."""

    def make(
        role: str = "administrateur",
        patient_id: int | None = None,
        now: Callable[[], dt.datetime] | None = None,
        exploitant_id: int | None = None,
        device: bool = False,
        authenticated: bool = True,
    ) -> TestClient:
        settings = config.Settings(database_url=str(engine.url), data_dir=tmp_path)
        options = hardening.Options(
            secure_cookies=False, token_rate=1_000_000.0, token_burst=1_000_000.0
        )
        client = TestClient(
            app.create_app(settings, engine=engine, now=now, security_options=options)
        )
        if authenticated:
            secret = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
            security_accounts.SqlAccounts(engine).add_token(
                accounts.digest(secret),
                f"test {role}",
                roles.Role(role),
                patient_id,
                exploitant_id,
                device,
                dt.datetime.now(dt.UTC),
                None,
            )
            client.headers["Authorization"] = f"Bearer {secret}"
        return client

    return make
