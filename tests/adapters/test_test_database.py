"""The test command provides a real PostgreSQL 15 on loopback for the store's tests."""

from __future__ import annotations

import os

import psycopg
import pytest

PG_URL = os.environ.get("TELESURVEILLANCE_TEST_PG_URL")


@pytest.mark.skipif(PG_URL is None, reason="run through scripts/test to get the PostgreSQL server")
def test_the_test_command_serves_postgresql_15_on_loopback() -> None:
    assert PG_URL is not None
    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        version = conn.execute("show server_version").fetchone()
        address = conn.execute("select inet_server_addr()::text").fetchone()
    assert version is not None
    assert version[0].startswith("15.")
    assert address is not None
    assert address[0].startswith("127.")
