"""Group commit: concurrent requests share a commit, each gets its own answer."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.fhir import outcome
from telesurveillance.adapters.sql.core import readings, tables
from telesurveillance.adapters.sql.fhir import group_commit
from telesurveillance.domain.access import matrix, roles, writes

T0 = readings.millis(dt.datetime(2026, 1, 14, 23, 30, tzinfo=dt.UTC))
ADMIN = roles.Principal(roles.Kind.TOKEN, 1, "test", roles.Role.ADMINISTRATEUR)


def _granted(batch: list[readings.Reading]) -> writes.Authorised[list[readings.Reading]]:
    """The readings as the API hands them to the writer: judged for a principal."""
    found = writes.Judge(matrix.packaged(), ADMIN).grant(
        "fhir.observation.create", {r.patient_id for r in batch}, batch
    )
    assert isinstance(found, writes.Authorised)
    return found


def _patient(engine: sa.Engine) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                sa.insert(tables.patients)
                .values(family="SYNTHETIQUE", birth_date=dt.date(1950, 1, 1))
                .returning(tables.patients.c.id)
            ).scalar_one()
        )


def test_concurrent_writes_are_all_stored_once_with_their_counters(engine: sa.Engine) -> None:
    pid = _patient(engine)
    writer = group_commit.GroupCommit(engine)
    batches = [[readings.Reading(pid, 1, T0 + i * 60_000, 80.0)] for i in range(200)]
    try:
        with ThreadPoolExecutor(16) as pool:
            first = list(pool.map(lambda b: writer.submit(_granted(b)).result(), batches))
            again = list(pool.map(lambda b: writer.submit(_granted(b)).result(), batches))
    finally:
        writer.close()
    assert all(len(s.new) == 1 for s in first)
    assert all(not s.new and s.duplicates == 1 for s in again)
    with engine.connect() as conn:
        assert sum(readings.days(conn, pid).values()) == 200
        assert readings.days(conn, pid) == readings.recount(conn, pid)


def test_an_unknown_patient_is_refused_without_blocking_the_others(engine: sa.Engine) -> None:
    pid = _patient(engine)
    writer = group_commit.GroupCommit(engine)
    try:
        bad = writer.submit(_granted([readings.Reading(pid + 1000, 1, T0, 80.0)]))
        good = writer.submit(_granted([readings.Reading(pid, 1, T0, 80.0)]))
        assert len(good.result().new) == 1
        with pytest.raises(outcome.Invalid, match="unknown patient"):
            bad.result()
    finally:
        writer.close()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one() == 1


def test_the_same_reading_in_two_requests_of_one_group_is_new_once(engine: sa.Engine) -> None:
    pid = _patient(engine)
    writer = group_commit.GroupCommit(engine)
    try:
        same = [readings.Reading(pid, 1, T0, 80.0)]
        answers = [writer.submit(_granted(same)) for _ in range(5)]
        assert sorted(len(a.result().new) for a in answers) == [0, 0, 0, 0, 1]
    finally:
        writer.close()
