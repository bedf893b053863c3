"""The alert evaluation outbox over SQL: marked with the readings, read and settled by evaluation.

`mark` runs inside the readings' own write transaction (`readings.store` calls it), so a reading
is never committed without its row here. Each (patient, kind) has one row spanning the instants
not yet judged; a new write widens the span and draws a new random `token`. `settle` removes a
row only if its token is still the one the evaluator read (compare-and-set): a write that landed
meanwhile keeps the row, and its readings are judged on the next pass. A random token rather
than a counter, so that a row removed and re-created cannot be mistaken for the one read before.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import pending as service

_t = tables.alert_pending
_p = _t.c
#: keys per `IN`/`VALUES` list (3 parameters each: far under SQLite's limit)
_CHUNK = 500


def mark(conn: sa.Connection, new: Sequence[reading.Reading]) -> None:
    """Record `new` (readings just inserted, in this transaction) as not yet judged."""
    if not new:
        return
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r in new:
        key = (r.patient_id, r.kind)
        low, high = spans.get(key, (r.ts, r.ts))
        spans[key] = (min(low, r.ts), max(high, r.ts))
    token = secrets.randbits(62)
    insert = postgresql.insert(_t) if conn.dialect.name == "postgresql" else sqlite.insert(_t)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["patient_id", "kind"],
            set_={
                "since_ts": sa.case(
                    (insert.excluded.since_ts < _p.since_ts, insert.excluded.since_ts),
                    else_=_p.since_ts,
                ),
                "until_ts": sa.case(
                    (insert.excluded.until_ts > _p.until_ts, insert.excluded.until_ts),
                    else_=_p.until_ts,
                ),
                "token": insert.excluded.token,
            },
        ),
        [
            {"patient_id": p, "kind": k, "since_ts": low, "until_ts": high, "token": token}
            for (p, k), (low, high) in sorted(spans.items())
        ],
    )


def settle(conn: sa.Connection, done: Sequence[service.Pending]) -> int:
    """Remove the rows of `done` whose token is unchanged (in the caller's transaction); how
    many were removed. One statement run for every row (a long OR of keys would be compiled
    anew each time and planned badly)."""
    if not done:
        return 0
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"DELETE FROM alert_pending WHERE patient_id = {mark} AND kind = {mark} AND token = {mark}"
    )
    result = conn.exec_driver_sql(sql, [(d.patient_id, d.kind, d.token) for d in done])
    return int(result.rowcount)


class SqlPending:
    """The outbox half of `services.alerts.evaluation.pending.Store`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def pending(
        self,
        keys: Collection[tuple[int, int]] | None = None,
        *,
        after: tuple[int, int] | None = None,
        limit: int = _CHUNK,
        floor_ms: int | None = None,
    ) -> list[service.Span]:
        """The rows of `keys` (all of them), or, without keys, up to `limit` rows in key order
        after `after` (a page of the catch-up); each with its readings, read in the same query
        through the `readings` primary key. Plain SQL: this runs on every ingest request, and
        compiling a new statement each time would cost more than the query."""
        with self.engine.connect() as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            floor = "" if floor_ms is None else f" AND r.ts >= {mark}"
            tail = () if floor_ms is None else (floor_ms,)
            if keys is None:
                where = "" if after is None else f" WHERE (patient_id, kind) > ({mark}, {mark})"
                rows = (
                    f"a AS (SELECT * FROM alert_pending{where} "
                    f"ORDER BY patient_id, kind LIMIT {mark})"
                )
                head = (*(after or ()), limit)
                return _spans(conn, rows, floor, (*head, *tail))
            ordered = sorted(keys)
            found: list[service.Span] = []
            for start in range(0, len(ordered), _CHUNK):
                chunk = ordered[start : start + _CHUNK]
                values = ",".join(
                    [f"(CAST({mark} AS INTEGER), CAST({mark} AS INTEGER))"] * len(chunk)
                )
                rows = (
                    f"w(p, k) AS (VALUES {values}), a AS (SELECT ap.* FROM w "
                    "JOIN alert_pending ap ON ap.patient_id = w.p AND ap.kind = w.k)"
                )
                head = tuple(v for key in chunk for v in key)
                found.extend(_spans(conn, rows, floor, (*head, *tail)))
            return found

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_t)).scalar_one())


def _spans(
    conn: sa.Connection, rows: str, floor: str, params: tuple[int, ...]
) -> list[service.Span]:
    """The outbox rows (`rows`: the common table expressions ending with `a`, rows of
    alert_pending) joined to their readings; a row whose span holds none is kept (it is settled
    with nothing judged)."""
    sql = (
        f"WITH {rows} "
        "SELECT a.patient_id, a.kind, a.since_ts, a.until_ts, a.token, r.ts, r.value FROM a "
        "LEFT JOIN readings r ON r.patient_id = a.patient_id AND r.kind = a.kind "
        f"AND r.ts >= a.since_ts AND r.ts <= a.until_ts{floor} "
        "ORDER BY a.patient_id, a.kind, r.ts"
    )
    found: dict[service.Pending, list[reading.Reading]] = {}
    for patient_id, kind, since_ts, until_ts, token, ts, value in conn.exec_driver_sql(sql, params):
        row = service.Pending(int(patient_id), int(kind), int(since_ts), int(until_ts), int(token))
        points = found.setdefault(row, [])
        if ts is not None:
            points.append(reading.Reading(row.patient_id, row.kind, int(ts), float(value)))
    return [service.Span(row, tuple(points)) for row, points in found.items()]
