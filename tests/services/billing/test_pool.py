"""A big run judged in several processes bills exactly what one process bills, in the same
order."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.billing import ledger, synthetic
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import pool
from telesurveillance.services.billing import run as billing_run

START = dt.date(2025, 1, 6)
UNTIL = dt.date(2025, 9, 1)
NOW = dt.datetime(2025, 9, 2, 8, tzinfo=dt.UTC)


def _unstored(lines: object) -> list[object]:
    return [dataclasses.replace(ln, id=None, run_id=None, created_at=None) for ln in lines]  # type: ignore[attr-defined]


@pytest.mark.skipif(not pool.available(2, pool.MIN_STREAMS), reason="no fork on this platform")
def test_two_processes_give_the_same_lines_in_the_same_order_as_one(
    engine: sa.Engine, regulation: store.Regulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    synthetic.populate(engine, 45, starts_on=START, seed=3)
    lines = ledger.SqlLedger(engine)
    streams = lines.streams(UNTIL)
    one = billing_run.due_lines(regulation, streams, UNTIL, workers=1)
    monkeypatch.setattr(pool, "MIN_STREAMS", 10)
    assert pool.available(2, len(streams))
    two = billing_run.due_lines(regulation, streams, UNTIL, workers=2)
    assert two == one
    assert one[0]
    assert 0 < one[2] < one[1]
    written = billing_run.run(lines, regulation, UNTIL, actor="test", now=NOW, workers=2).written
    assert _unstored(written) == one[0]
    assert [ln.id for ln in written] == sorted(ln.id for ln in written)


def test_a_small_run_or_a_single_worker_stays_in_one_process() -> None:
    assert not pool.available(1, 1_000_000)
    assert not pool.available(2, pool.MIN_STREAMS - 1)
    assert pool.available(2, pool.MIN_STREAMS) is ("fork" in pool._start_methods())


@pytest.mark.parametrize(
    ("count", "parts", "expected"),
    [
        (10, 3, [(0, 4), (4, 7), (7, 10)]),
        (9, 3, [(0, 3), (3, 6), (6, 9)]),
        (2, 8, [(0, 1), (1, 2)]),
        (0, 4, [(0, 0)]),
    ],
)
def test_slices_cut_the_streams_in_order_into_near_equal_parts(
    count: int, parts: int, expected: list[tuple[int, int]]
) -> None:
    assert pool.slices(count, parts) == expected
