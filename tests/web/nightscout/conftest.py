"""Nightscout sites over the test store: a patient, its site and secret, an anonymous client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance import composition
from telesurveillance.adapters.nightscout import credentials
from telesurveillance.adapters.sql.core import tables
from telesurveillance.services.nightscout import sites
from tests.conftest import ClientFactory

#: The server's clock in these tests: every fixture body is before it, after the common law.
NOW = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Opened:
    patient_id: int
    site: sites.Site
    secret: str

    @property
    def base(self) -> str:
        return f"/nightscout/{self.site.key}/api/v1"

    @property
    def header(self) -> dict[str, str]:
        """`api-secret` as uploaders send it: the SHA-1 hex of the secret."""
        return {"api-secret": credentials.sha1_hex(self.secret)}


def add_patient(engine: sa.Engine, born: dt.date = dt.date(1950, 1, 1)) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                sa.insert(tables.patients)
                .values(family="SYNTHETIQUE", birth_date=born)
                .returning(tables.patients.c.id)
            ).scalar_one()
        )


def open_site(engine: sa.Engine, patient_id: int, units: str = "mg/dL") -> Opened:
    store = composition.over(engine).nightscout_sites
    secret = credentials.issue("test")
    issued = sites.issue(
        store, patient_id=patient_id, secret=secret, now=NOW, issued_by="test", units=units
    )
    return Opened(patient_id, issued.site, secret)


@pytest.fixture
def site(engine: sa.Engine) -> Opened:
    return open_site(engine, add_patient(engine))


@pytest.fixture
def uploader(make_client: ClientFactory) -> TestClient:
    """What an uploader is: no API token, only the site's secret (given per request)."""
    return make_client(authenticated=False, now=lambda: NOW)


Readings = Callable[[int], list[tuple[int, int, float]]]


@pytest.fixture
def readings(engine: sa.Engine) -> Readings:
    def found(patient_id: int) -> list[tuple[int, int, float]]:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(tables.readings.c.kind, tables.readings.c.ts, tables.readings.c.value)
                .where(tables.readings.c.patient_id == patient_id)
                .order_by(tables.readings.c.ts)
            ).all()
        return [(r.kind, r.ts, r.value) for r in rows]

    return found
