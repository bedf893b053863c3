"""The write path of readings: one durable, idempotent write with the per-day counters.

`store` inserts a batch of normalised readings with `ON CONFLICT DO NOTHING RETURNING`, so the
database itself says which readings are new; only those increment `reading_days`, move
`last_readings` and are marked for alert evaluation (`alerts_pending`), in the same
transaction. A retried batch therefore changes nothing, the counters always equal a recount
from the raw readings (`recount`, used by the tests), and no reading is committed without its
mark in the evaluation outbox.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from telesurveillance.adapters.sql.alerts import pending
from telesurveillance.adapters.sql.core import copy, tables
from telesurveillance.adapters.sql.dashboard import counters as worklist_counters
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading
from telesurveillance.services import ingest

Reading = reading.Reading
millis = reading.millis
instant = reading.instant

#: The primary key of `readings` (what a duplicate is).
KEY = ("patient_id", "kind", "ts")

#: Rows per INSERT statement (4 parameters each; SQLite allows 32,766 parameters).
CHUNK = 2000


#: What a write did (the services' record): the readings that were new, how many were there.
Stored = ingest.Stored


def _insert_sql(conn: sa.Connection, rows: int) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    values = ",".join([f"({mark},{mark},{mark},{mark})"] * rows)
    return (
        f"INSERT INTO readings (patient_id, kind, ts, value) VALUES {values} "
        "ON CONFLICT (patient_id, kind, ts) DO NOTHING RETURNING patient_id, kind, ts"
    )


def store(conn: sa.Connection, batch: Iterable[Reading]) -> Stored:
    """Insert `batch` (any order, duplicates allowed) and update the counters; no commit here.

    Within a batch the first reading of a key wins, as a stored reading wins over a retry.
    """
    unique: dict[tuple[int, int, int], Reading] = {}
    for r in batch:
        unique.setdefault((r.patient_id, r.kind, r.ts), r)
    keys = sorted(unique)  # tuple order: C comparisons, and the primary key's order
    if conn.dialect.name == "sqlite":
        new = _store_sqlite(conn, keys, unique)
    else:
        new = _store_returning(conn, keys, unique)
    _count(conn, new)
    pending.mark(conn, new)
    return Stored(tuple(new), len(keys) - len(new))


def _store_sqlite(
    conn: sa.Connection,
    keys: list[tuple[int, int, int]],
    unique: dict[tuple[int, int, int], Reading],
) -> list[Reading]:
    """SQLite: look up the keys already stored, then a plain sorted `executemany`.

    Safe because SQLite has one writer: in a write transaction (`database.writing`, BEGIN
    IMMEDIATE) nobody can insert between the look-up and the insert. Outside one, a concurrent
    insert of the same key makes the plain INSERT fail loudly — never a double count.
    """
    existing: set[tuple[int, int, int]] = set()
    start = 0
    while start < len(keys):
        patient, kind, first = keys[start]
        end = start
        while end < len(keys) and keys[end][0] == patient and keys[end][1] == kind:
            end += 1
        rows = conn.exec_driver_sql(
            "SELECT ts FROM readings WHERE patient_id = ? AND kind = ? AND ts BETWEEN ? AND ?",
            (patient, kind, first, keys[end - 1][2]),
        )
        existing.update((patient, kind, ts) for (ts,) in rows)
        start = end
    fresh = [k for k in keys if k not in existing]
    if fresh:
        cursor = conn.connection.driver_connection
        assert cursor is not None
        cursor.executemany(
            "INSERT INTO readings (patient_id, kind, ts, value) VALUES (?, ?, ?, ?)",
            [(p, k, t, unique[(p, k, t)].value) for p, k, t in fresh],
        )
    return [unique[k] for k in fresh]


def _store_returning(
    conn: sa.Connection,
    keys: list[tuple[int, int, int]],
    unique: dict[tuple[int, int, int], Reading],
) -> list[Reading]:
    """PostgreSQL: concurrent writers, so the database says which rows are new (RETURNING)."""
    if len(keys) >= copy.ABOVE:  # issue 18: big batches travel by COPY (core/copy.py)
        made = copy.insert_new(conn, tables.readings, [unique[k] for k in keys], KEY)
        return [unique[(int(p), int(k), int(t))] for p, k, t in sorted(made)]
    new: list[Reading] = []
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        params = tuple(v for key in chunk for v in (*key, unique[key].value))
        result = conn.exec_driver_sql(_insert_sql(conn, len(chunk)), params)
        new.extend(unique[(int(p), int(k), int(t))] for p, k, t in result)
    new.sort(key=lambda r: (r.patient_id, r.kind, r.ts))
    return new


def _insert(conn: sa.Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _count(conn: sa.Connection, new: Sequence[Reading]) -> None:
    if not new:
        return
    per_day: Counter[tuple[int, dt.date, int]] = Counter()
    last: dict[tuple[int, int], int] = {}
    day_of = _DayCache()
    for r in new:
        per_day[(r.patient_id, day_of(r.ts), r.kind)] += 1
        key = (r.patient_id, r.kind)
        if r.ts > last.get(key, r.ts - 1):
            last[key] = r.ts
    days = _insert(conn, tables.reading_days)
    conn.execute(
        days.on_conflict_do_update(
            index_elements=["patient_id", "day", "kind"],
            set_={"n": tables.reading_days.c.n + days.excluded.n},
        ),
        [{"patient_id": p, "day": d, "kind": k, "n": n} for (p, d, k), n in per_day.items()],
    )
    # issue 18: the worklist's current-period counters (adapters/sql/dashboard/counters.py)
    per_patient_day: Counter[tuple[int, dt.date]] = Counter()
    for (p, d, _k), n in per_day.items():
        per_patient_day[(p, d)] += n
    worklist_counters.added(conn, per_patient_day)
    lasts = _insert(conn, tables.last_readings)
    conn.execute(
        lasts.on_conflict_do_update(
            index_elements=["patient_id", "kind"],
            set_={
                "ts": sa.case(
                    (lasts.excluded.ts > tables.last_readings.c.ts, lasts.excluded.ts),
                    else_=tables.last_readings.c.ts,
                )
            },
        ),
        [{"patient_id": p, "kind": k, "ts": t} for (p, k), t in last.items()],
    )


class _DayCache:
    """Paris day of a UTC millisecond instant, cached per UTC hour (offsets change on the hour)."""

    def __init__(self) -> None:
        self._hours: dict[int, dt.date] = {}

    def __call__(self, ts: int) -> dt.date:
        hour = ts // 3_600_000
        day = self._hours.get(hour)
        if day is None:
            day = calendar.paris_day(instant(hour * 3_600_000))
            self._hours[hour] = day
        return day


def delete(conn: sa.Connection, patient_id: int, kind: int, ts: int) -> bool:
    """Remove one reading (entered in error) and its count; True if it existed."""
    r = tables.readings.c
    deleted = conn.execute(
        sa.delete(tables.readings).where(r.patient_id == patient_id, r.kind == kind, r.ts == ts)
    ).rowcount
    if not deleted:
        return False
    day = calendar.paris_day(instant(ts))
    d = tables.reading_days.c
    conn.execute(
        sa.update(tables.reading_days)
        .where(d.patient_id == patient_id, d.day == day, d.kind == kind)
        .values(n=d.n - 1)
    )
    conn.execute(
        sa.delete(tables.reading_days).where(
            d.patient_id == patient_id, d.day == day, d.kind == kind, d.n <= 0
        )
    )
    worklist_counters.removed(conn, patient_id, day)  # issue 18: the worklist's counters
    latest = conn.execute(
        sa.select(sa.func.max(r.ts)).where(r.patient_id == patient_id, r.kind == kind)
    ).scalar_one_or_none()
    lr = tables.last_readings.c
    if latest is None:
        conn.execute(
            sa.delete(tables.last_readings).where(lr.patient_id == patient_id, lr.kind == kind)
        )
    else:
        conn.execute(
            sa.update(tables.last_readings)
            .where(lr.patient_id == patient_id, lr.kind == kind)
            .values(ts=latest)
        )
    return True


def days(conn: sa.Connection, patient_id: int) -> dict[tuple[dt.date, int], int]:
    """The stored counters of one patient: (Paris day, kind) → readings."""
    d = tables.reading_days.c
    rows = conn.execute(
        sa.select(d.day, d.kind, d.n).where(d.patient_id == patient_id).order_by(d.day, d.kind)
    )
    return {(day, kind): n for day, kind, n in rows}


def recount(conn: sa.Connection, patient_id: int) -> dict[tuple[dt.date, int], int]:
    """The counters recomputed from the raw readings (what `days` must always equal)."""
    r = tables.readings.c
    counts: Counter[tuple[dt.date, int]] = Counter()
    for kind, ts in conn.execute(sa.select(r.kind, r.ts).where(r.patient_id == patient_id)):
        counts[(calendar.paris_day(instant(ts)), kind)] += 1
    return dict(counts)
