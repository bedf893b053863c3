"""Evaluation exactly once, even across crashes: the outbox of readings not yet judged.

Every write path stores readings through one function that also marks, in the same transaction,
each (patient, kind) touched with the span of instants not yet judged (`Pending`). Evaluation
then reads those spans back from the store, judges them (`alerts.judge`), and records the alerts
*and* removes the rows it judged in one transaction, by compare-and-set on the row's token: a
write that widened a span meanwhile keeps its row, and is judged on the next pass.

So a reading is judged once its commit returned, whatever happens next: the ingest listener
judges it at once; if the listener fails or the process dies first, the row stays and the
catch-up (`catch_up`, at server start, periodically, and in `telesurveillance alerts run` and
`import`) judges it later. A span judged twice (a crash after the evaluation but before its
commit, two evaluators at once) opens nothing twice: alerts are unique per episode and a
crossing already counted changes nothing (`adapters.sql.alerts.evaluation.write`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import evaluation

#: (patient, kind) rows per catch-up page (each page: one read of the spans, one write).
PAGE = 200


class Pending(NamedTuple):
    """One (patient, kind) with readings in `[since_ts, until_ts]` not yet judged."""

    patient_id: int
    kind: int
    since_ts: int
    until_ts: int
    token: int


class Span(NamedTuple):
    """A pending row with its stored readings (from `since_ts`, or the floor, to `until_ts`)."""

    pending: Pending
    readings: tuple[reading.Reading, ...]


class Store(evaluation.Store, Protocol):
    def pending(
        self,
        keys: Collection[tuple[int, int]] | None = None,
        *,
        after: tuple[int, int] | None = None,
        limit: int = PAGE,
        floor_ms: int | None = None,
    ) -> list[Span]:
        """The rows of `keys`, or a page of every row in key order after `after`, each with
        its readings at or after `floor_ms` (one read)."""
        ...

    def record_settled(
        self, found: Sequence[evaluation.Found], now_ms: int, settled: Sequence[Pending]
    ) -> tuple[evaluation.Recorded, int]:
        """Record `found` and remove the rows of `settled` whose token is unchanged, in one
        transaction; what was recorded and how many rows were removed."""
        ...


@dataclass(frozen=True, slots=True)
class Judged:
    """What one evaluation of pending spans did."""

    spans: int = 0
    readings: int = 0
    opened: tuple[int, ...] = ()
    updated: tuple[int, ...] = ()
    settled: int = 0

    def __add__(self, other: Judged) -> Judged:
        return Judged(
            self.spans + other.spans,
            self.readings + other.readings,
            self.opened + other.opened,
            self.updated + other.updated,
            self.settled + other.settled,
        )


def judge_pending(
    store: Store, sets: ruleset.RuleSets, spans: Sequence[Span], now: dt.datetime
) -> Judged:
    """Judge the readings of `spans`, record the alerts and settle the rows, in one transaction
    (also when nothing is recorded: the rows' removal is the proof they were judged)."""
    if not spans:
        return Judged()
    rows = [s.pending for s in spans]
    batch = [r for s in spans for r in s.readings]
    found = evaluation.judge(store, sets, batch, now)
    recorded, settled = store.record_settled(found, reading.millis(now), rows)
    return Judged(len(rows), len(batch), recorded.opened, recorded.updated, settled)


def drain(
    store: Store, sets: ruleset.RuleSets, keys: Collection[tuple[int, int]], now: dt.datetime
) -> Judged:
    """Judge what is pending for `keys` (the (patient, kind) of readings just committed)."""
    return judge_pending(store, sets, store.pending(keys), now)


def drain_readings(
    store: Store, sets: ruleset.RuleSets, new: Sequence[reading.Reading], now: dt.datetime
) -> Judged:
    """`drain` for the (patient, kind) of `new` (what an ingest listener is handed)."""
    return drain(store, sets, {(r.patient_id, r.kind) for r in new}, now)


def catch_up(
    store: Store,
    sets: ruleset.RuleSets,
    now: dt.datetime,
    *,
    floor: dt.datetime | None = None,
    page: int = PAGE,
) -> Judged:
    """Judge every pending span, page by page in key order (a row re-marked meanwhile is kept
    and judged on the next pass). `floor`: readings before it are settled without being judged
    (the demo's synthetic history is background, not news)."""
    floor_ms = None if floor is None else reading.millis(floor)
    total = Judged()
    after: tuple[int, int] | None = None
    while True:
        spans = store.pending(after=after, limit=page, floor_ms=floor_ms)
        if not spans:
            return total
        total += judge_pending(store, sets, spans, now)
        last = spans[-1].pending
        after = (last.patient_id, last.kind)
