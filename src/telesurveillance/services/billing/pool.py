"""Judging a big run in several processes, with the sequential run's output.

The streams are cut into contiguous slices; each worker judges its slices (`judge`, handed in)
and sends back the lines as plain tuples; the slices come back in their order, so the lines are
the same, in the same order, as when one process judges everything (tested).

Workers are forked: they inherit the regulation and the streams instead of receiving them
pickled (the days with data of 10,000 streams are millions of dates). Forking is only safe in a
process with one thread, so the pool serves the command line and the benchmark; the API judges
in its own process. Where `fork` is not available the caller judges sequentially.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import operator
from collections.abc import Callable, Sequence
from typing import Any

from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import ledger

#: Below this many streams a pool costs more than it saves (forking, sending the lines back).
MIN_STREAMS = 1_000
#: Slices per worker: small enough to even out the workers' shares, few enough to stay cheap.
SLICES_PER_WORKER = 4

Judged = tuple[list[ledger.Line], int, int]
Judge = Callable[[store.Regulation, Sequence[ledger.Stream], dt.date], Judged]

_NAMES = tuple(f.name for f in dataclasses.fields(ledger.Line))
_PACK = operator.attrgetter(*_NAMES)

#: What the forked workers inherit: set just before the pool starts, cleared after.
_shared: tuple[Judge, store.Regulation, Sequence[ledger.Stream], dt.date] | None = None


def available(workers: int, streams: int) -> bool:
    """Whether a run of `streams` streams is judged by a pool of `workers` processes."""
    return workers > 1 and streams >= MIN_STREAMS and "fork" in _start_methods()


def _start_methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


def slices(count: int, parts: int) -> list[tuple[int, int]]:
    """`[start, end)` bounds cutting `count` items into at most `parts` contiguous slices, in
    order, sizes differing by at most one."""
    parts = max(1, min(parts, count))
    size, extra = divmod(count, parts)
    bounds = []
    start = 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds


def judge_in(
    workers: int,
    judge: Judge,
    regulation: store.Regulation,
    streams: Sequence[ledger.Stream],
    until: dt.date,
) -> Judged:
    """`judge` over `streams` in `workers` forked processes: the lines in the streams' order,
    and the counts of periods judged and billable."""
    global _shared
    _shared = (judge, regulation, streams, until)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            parts = pool.map(_work, slices(len(streams), workers * SLICES_PER_WORKER))
    finally:
        _shared = None
    due: list[ledger.Line] = []
    judged = billable = 0
    for packed, part_judged, part_billable in parts:
        due.extend(ledger.Line(*values) for values in packed)
        judged += part_judged
        billable += part_billable
    return due, judged, billable


def _work(bounds: tuple[int, int]) -> tuple[list[tuple[Any, ...]], int, int]:
    """In a worker: judge one slice; the lines go back as tuples (cheaper to send)."""
    if _shared is None:  # pragma: no cover - only reached in a worker started by `judge_in`
        raise RuntimeError("no run shared with this worker")
    judge, regulation, streams, until = _shared
    start, end = bounds
    due, judged, billable = judge(regulation, streams[start:end], until)
    return [_PACK(ln) for ln in due], judged, billable
