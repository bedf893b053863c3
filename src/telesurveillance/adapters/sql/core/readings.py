"""The write path of readings: one durable, idempotent write with the per-day counters.

`store` inserts a batch of normalised readings with `ON CONFLICT DO NOTHING RETURNING`, so the
database itself says which readings are new; only those increment `reading_days`, move
`last_readings` and are marked for alert evaluation (`alerts_pending`), in the same
transaction. A retried batch therefore changes nothing, the counters always equal a recount
from the raw readings (`recount`, used by the tests), and no reading is committed without its
mark in the evaluation outbox.

Each reading records its sender (issue 17): `source_id` points at a `reading_sources` row
(`sources.resolve`), NULL when unknown; the identifiers the sender gave are written to
`reading_identifiers` for the new readings only (a retry changes nothing), and only when there
are some, so a reading without them costs the one small integer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from telesurveillance.adapters.sql.alerts import pending
from telesurveillance.adapters.sql.core import copy, sources, tables
from telesurveillance.adapters.sql.dashboard import counters as worklist_counters
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading
from telesurveillance.services import ingest

Reading = reading.Reading
millis = reading.millis
instant = reading.instant

#: The primary key of `readings` (what a duplicate is).
KEY = ("patient_id", "kind", "ts")

#: Rows per INSERT statement (5 parameters each; SQLite allows 32,766 parameters).
CHUNK = 2000


#: What a write did (the services' record): the readings that were new, how many were there.
Stored = ingest.Stored


def _insert_sql(conn: sa.Connection, rows: int) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    values = ",".join([f"({mark},{mark},{mark},{mark},{mark})"] * rows)
    return (
        f"INSERT INTO readings (patient_id, kind, ts, value, source_id) VALUES {values} "
        "ON CONFLICT (patient_id, kind, ts) DO NOTHING RETURNING patient_id, kind, ts"
    )


Key = tuple[int, int, int]
#: The identifiers a sender gave, per reading key (patient, kind, ts).
Identifiers = Mapping[Key, Sequence[ingest.Identifier]]


#: The sender of a write's readings: one for all (`reading_sources.id`, None: unknown), or one
#: per reading key (a Bundle's entries naming several devices, `store_sent`).
SourceIds = int | None | Mapping[Key, int | None]


def store(
    conn: sa.Connection,
    batch: Iterable[Reading],
    source_id: SourceIds = None,
    identifiers: Identifiers | None = None,
    dmn_id: int | None = None,
) -> Stored:
    """Insert `batch` (any order, duplicates allowed) and update the counters; no commit here.

    Within a batch the first reading of a key wins, as a stored reading wins over a retry. The
    new readings record `source_id` (or their key's, when a mapping) and, where given, their
    `identifiers`.
    """
    unique: dict[tuple[int, int, int], Reading] = {}
    for r in batch:
        unique.setdefault((r.patient_id, r.kind, r.ts), r)
    keys = sorted(unique)  # tuple order: C comparisons, and the primary key's order
    if conn.dialect.name == "sqlite":
        new = _store_sqlite(conn, keys, unique, source_id)
    else:
        new = _store_returning(conn, keys, unique, source_id)
    per_day = _per_day(new)
    _count(conn, new, per_day)
    if dmn_id is not None:
        _count_dmn(conn, new, dmn_id, 1, per_day)
    pending.mark(conn, new)
    if identifiers:
        _identify(conn, new, identifiers)
    return Stored(tuple(new), len(keys) - len(new))


def store_sent(
    conn: sa.Connection, groups: Sequence[tuple[Sequence[Reading], ingest.Sent]]
) -> Stored:
    """`store` of inputs with their provenance, in ONE write whatever the number of senders:
    each reading records its input's sender and identifiers. The first input of a key decides
    its value, its sender and its identifiers (none when it gave none), as the inputs written one
    by one. The usual case, one sender and no identifiers (a file's lines share one Source
    object), writes the sender once for the whole batch."""
    first = groups[0][1].source if groups else None
    if all(sent.source is first and not sent.identifiers for _batch, sent in groups):
        batch = [r for readings, _sent in groups for r in readings]
        source_id, dmn_id = (None, None) if first is None else sources.resolved(conn, first)
        return store(conn, batch, source_id, None, dmn_id)
    return _store_each(conn, groups)


#: (patient, Paris day, kind) → readings: what a write adds to `reading_days`.
PerDay = Counter[tuple[int, dt.date, int]]


def _per_day(batch: Sequence[Reading]) -> PerDay:
    """The readings of `batch` per patient, Paris day and kind (one day computed per UTC hour)."""
    per_day: PerDay = Counter()
    day_of = _DayCache()
    for r in batch:
        per_day[(r.patient_id, day_of(r.ts), r.kind)] += 1
    return per_day


def _per_patient_day(per_day: PerDay) -> Counter[tuple[int, dt.date]]:
    found: Counter[tuple[int, dt.date]] = Counter()
    for (p, d, _k), n in per_day.items():
        found[(p, d)] += n
    return found


def _store_each(
    conn: sa.Connection, groups: Sequence[tuple[Sequence[Reading], ingest.Sent]]
) -> Stored:
    """`store_sent` of several senders or of identifiers (issue 18, the API's Bundles): the
    senders' rows found or made together (`sources.resolved_all`), each reading recording its
    own, the DMN day counters moved per DMN; the first input of a key wins."""
    resolved = sources.resolved_all(conn, {s.source for _b, s in groups if s.source is not None})
    source_of: dict[Key, int | None] = {}
    dmn_of: dict[Key, int] = {}
    named: dict[Key, Sequence[ingest.Identifier]] = {}
    batch: list[Reading] = []
    for readings, sent in groups:
        source_id, dmn_id = (None, None) if sent.source is None else resolved[sent.source]
        for r in readings:
            key = (r.patient_id, r.kind, r.ts)
            if key in source_of:
                continue
            source_of[key] = source_id
            batch.append(r)
            if dmn_id is not None:
                dmn_of[key] = dmn_id
            if sent.identifiers:
                named[key] = sent.identifiers
    done = store(conn, batch, source_of, named)
    per_dmn: dict[int, list[Reading]] = {}
    for r in done.new:
        dmn = dmn_of.get((r.patient_id, r.kind, r.ts))
        if dmn is not None:
            per_dmn.setdefault(dmn, []).append(r)
    for dmn, new in per_dmn.items():
        _count_dmn(conn, new, dmn, 1)
    return done


def _count_dmn(
    conn: sa.Connection,
    batch: Sequence[Reading],
    dmn_id: int,
    sign: int,
    per_day: PerDay | None = None,
) -> None:
    """Move the per-day counters of readings sent by a device of `dmn_id` by `sign` per reading
    (a counter at zero is removed: the day has no more data of that DMN); `per_day`, when
    given, is `_per_day(batch)`."""
    if not batch:
        return
    days_of = _per_patient_day(_per_day(batch) if per_day is None else per_day)
    m = tables.reading_dmn_days.c
    if sign > 0:
        rows = sorted((p, d, dmn_id, n) for (p, d), n in days_of.items())
        if conn.dialect.name == "postgresql":
            _upsert_unnest(conn, "reading_dmn_days", ("patient_id", "day", "dmn_id"), rows)
            return
        days = _insert(conn, tables.reading_dmn_days)
        conn.execute(
            days.on_conflict_do_update(
                index_elements=["patient_id", "day", "dmn_id"],
                set_={"n": m.n + days.excluded.n},
            ),
            [{"patient_id": p, "day": d, "dmn_id": dmn, "n": n} for p, d, dmn, n in rows],
        )
        return
    per_day_dmn = days_of
    for (p, d), n in per_day_dmn.items():
        where = (m.patient_id == p, m.day == d, m.dmn_id == dmn_id)
        conn.execute(sa.update(tables.reading_dmn_days).where(*where).values(n=m.n - n))
        conn.execute(sa.delete(tables.reading_dmn_days).where(*where, m.n <= 0))


def dmn_days(conn: sa.Connection, patient_id: int) -> dict[tuple[dt.date, int], int]:
    """The stored per-DMN counters of one patient: (Paris day, DMN) → readings."""
    m = tables.reading_dmn_days.c
    rows = conn.execute(
        sa.select(m.day, m.dmn_id, m.n).where(m.patient_id == patient_id).order_by(m.day)
    )
    return {(day, dmn): n for day, dmn, n in rows}


def _identify(conn: sa.Connection, new: Sequence[Reading], identifiers: Identifiers) -> None:
    rows = [
        {"patient_id": r.patient_id, "kind": r.kind, "ts": r.ts, "n": n, "system": sy, "value": v}
        for r in new
        for n, (sy, v) in enumerate(identifiers.get((r.patient_id, r.kind, r.ts), ()))
    ]
    if rows:
        conn.execute(sa.insert(tables.reading_identifiers), rows)


def identifiers(
    conn: sa.Connection, patient_id: int, kind: int, ts: int
) -> list[ingest.Identifier]:
    """The identifiers the sender gave the reading at this key, in the order given."""
    i = tables.reading_identifiers.c
    rows = conn.execute(
        sa.select(i.system, i.value)
        .where(i.patient_id == patient_id, i.kind == kind, i.ts == ts)
        .order_by(i.n)
    )
    return [(system, value) for system, value in rows]


def source_of(conn: sa.Connection, patient_id: int, kind: int, ts: int) -> sources.Known | None:
    """The sender of the reading at this key, None when unknown (or no such reading)."""
    r = tables.readings.c
    found = conn.execute(
        sa.select(r.source_id).where(r.patient_id == patient_id, r.kind == kind, r.ts == ts)
    ).scalar_one_or_none()
    if found is None:
        return None
    return sources.known(conn, {int(found)}).get(int(found))


def restamp(conn: sa.Connection, batch: Sequence[Reading], sent: ingest.Sent) -> None:
    """Record `sent` as the provenance of the stored readings of `batch` (a replaced value
    takes the sender and identifiers of its replacement)."""
    source_id, dmn_id = (None, None) if sent.source is None else sources.resolved(conn, sent.source)
    r = tables.readings.c
    for one in batch:
        key = sa.and_(r.patient_id == one.patient_id, r.kind == one.kind, r.ts == one.ts)
        before = conn.execute(sa.select(r.source_id).where(key)).first()
        if before is None:
            continue
        old_dmn = sources.dmn_of(conn, before.source_id)
        if old_dmn != dmn_id:
            if old_dmn is not None:
                _count_dmn(conn, [one], old_dmn, -1)
            if dmn_id is not None:
                _count_dmn(conn, [one], dmn_id, 1)
        conn.execute(
            sa.update(tables.readings)
            .where(r.patient_id == one.patient_id, r.kind == one.kind, r.ts == one.ts)
            .values(source_id=source_id)
        )
        forget_identifiers(conn, one.patient_id, one.kind, one.ts)
    named = {(x.patient_id, x.kind, x.ts): sent.identifiers for x in batch}
    _identify(conn, batch, named)


def forget_identifiers(conn: sa.Connection, patient_id: int, kind: int, ts: int) -> None:
    """Drop the sender's identifiers of the reading at this key (withdrawn or replaced)."""
    i = tables.reading_identifiers.c
    conn.execute(
        sa.delete(tables.reading_identifiers).where(
            i.patient_id == patient_id, i.kind == kind, i.ts == ts
        )
    )


def _store_sqlite(
    conn: sa.Connection,
    keys: list[tuple[int, int, int]],
    unique: dict[tuple[int, int, int], Reading],
    source_id: SourceIds,
) -> list[Reading]:
    """SQLite: look up the keys already stored, then a plain sorted `executemany`.

    Safe because SQLite has one writer: in a write transaction (`database.writing`, BEGIN
    IMMEDIATE) nobody can insert between the look-up and the insert. Outside one, a concurrent
    insert of the same key makes the plain INSERT fail loudly — never a double count.
    """
    existing: set[tuple[int, int, int]] = set()
    # the driver's own connection (in the transaction `conn` holds): one range query per
    # patient and kind, without SQLAlchemy's per-statement work
    cursor = conn.connection.driver_connection
    assert cursor is not None
    start = 0
    while start < len(keys):
        patient, kind, first = keys[start]
        end = start
        while end < len(keys) and keys[end][0] == patient and keys[end][1] == kind:
            end += 1
        rows = cursor.execute(
            "SELECT ts FROM readings WHERE patient_id = ? AND kind = ? AND ts BETWEEN ? AND ?",
            (patient, kind, first, keys[end - 1][2]),
        )
        existing.update((patient, kind, ts) for (ts,) in rows)
        start = end
    fresh = [k for k in keys if k not in existing] if existing else keys
    if fresh:
        cursor.executemany(
            "INSERT INTO readings (patient_id, kind, ts, value, source_id) VALUES (?, ?, ?, ?, ?)",
            _values(fresh, unique, source_id),
        )
    return [unique[k] for k in fresh]


def _store_returning(
    conn: sa.Connection,
    keys: list[tuple[int, int, int]],
    unique: dict[tuple[int, int, int], Reading],
    source_id: SourceIds,
) -> list[Reading]:
    """PostgreSQL: concurrent writers, so the database says which rows are new (RETURNING)."""
    if len(keys) >= copy.ABOVE:  # issue 18: big batches travel by COPY (core/copy.py)
        if isinstance(source_id, Mapping):
            rows = [_Sourced(*key, unique[key].value, source_id[key]) for key in keys]
            made = copy.insert_new(conn, tables.readings, rows, KEY)
        else:
            made = copy.insert_new(
                conn, tables.readings, [unique[k] for k in keys], KEY, {"source_id": source_id}
            )
        return [unique[key] for key in sorted(made)]  # the driver gives back Python ints
    new: list[Reading] = []
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        params = tuple(v for row in _values(chunk, unique, source_id) for v in row)
        result = conn.exec_driver_sql(_insert_sql(conn, len(chunk)), params)
        new.extend(unique[(int(p), int(k), int(t))] for p, k, t in result)
    new.sort(key=lambda r: (r.patient_id, r.kind, r.ts))
    return new


class _Sourced(NamedTuple):
    """A reading with its own sender, as COPY writes it."""

    patient_id: int
    kind: int
    ts: int
    value: float
    source_id: int | None


def _values(
    keys: Sequence[Key], unique: Mapping[Key, Reading], source_id: SourceIds
) -> list[tuple[int, int, int, float, int | None]]:
    """The rows (patient, kind, ts, value, sender) of `keys`."""
    if isinstance(source_id, Mapping):
        return [(*key, unique[key].value, source_id[key]) for key in keys]
    return [(*key, unique[key].value, source_id) for key in keys]


def _insert(conn: sa.Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _count(conn: sa.Connection, new: Sequence[Reading], per_day: PerDay | None = None) -> None:
    """Add the new readings to the day counters, the worklist's counters and the latest
    instants; `per_day`, when given, is `_per_day(new)`. On PostgreSQL each counter table takes
    one statement whatever the number of rows (`_upsert_unnest`)."""
    if not new:
        return
    if per_day is None:
        per_day = _per_day(new)
    last: dict[tuple[int, int], int] = {}
    for r in new:
        key = (r.patient_id, r.kind)
        if r.ts > last.get(key, r.ts - 1):
            last[key] = r.ts
    rows = sorted((p, d, k, n) for (p, d, k), n in per_day.items())
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        _upsert_unnest(conn, "reading_days", ("patient_id", "day", "kind"), rows)
    else:
        days = _insert(conn, tables.reading_days)
        conn.execute(
            days.on_conflict_do_update(
                index_elements=["patient_id", "day", "kind"],
                set_={"n": tables.reading_days.c.n + days.excluded.n},
            ),
            [{"patient_id": p, "day": d, "kind": k, "n": n} for p, d, k, n in rows],
        )
    # issue 18: the worklist's current-period counters (adapters/sql/dashboard/counters.py)
    worklist_counters.added(conn, _per_patient_day(per_day))
    latest = sorted(last.items())
    if postgres:
        conn.exec_driver_sql(
            "INSERT INTO last_readings (patient_id, kind, ts) "
            "SELECT * FROM unnest(%s::int4[], %s::int2[], %s::int8[]) AS t(patient_id, kind, ts) "
            "ORDER BY patient_id, kind "
            "ON CONFLICT (patient_id, kind) DO UPDATE SET ts = GREATEST(last_readings.ts, "
            "excluded.ts)",
            _columns([(p, k, t) for (p, k), t in latest]),
        )
        return
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
        [{"patient_id": p, "kind": k, "ts": t} for (p, k), t in latest],
    )


#: The PostgreSQL array type of each counter column (`_upsert_unnest`).
_ARRAYS = {"patient_id": "int4", "day": "date", "kind": "int2", "dmn_id": "int4", "n": "int4"}


def _upsert_unnest(
    conn: sa.Connection, table: str, key: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> None:
    """PostgreSQL: add `rows` (the `key` columns, then `n`; sorted by key, so that concurrent
    writers lock the rows in one order) to the counters of `table` in ONE statement, the rows
    travelling as one array per column (a row absent takes `n`, a row present `n + n`)."""
    if not rows:
        return
    columns = (*key, "n")
    listed = ", ".join(columns)
    arrays = ", ".join(f"%s::{_ARRAYS[c]}[]" for c in columns)
    keys = ", ".join(key)
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({listed}) SELECT * FROM unnest({arrays}) AS t({listed}) "
        f"ORDER BY {keys} ON CONFLICT ({keys}) DO UPDATE SET n = {table}.n + excluded.n",
        _columns(rows),
    )


def _columns(rows: Sequence[tuple[object, ...]]) -> tuple[list[object], ...]:
    """`rows` as one list per column (the arrays of an `unnest`)."""
    return tuple(list(column) for column in zip(*rows, strict=True))


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
    key = (r.patient_id == patient_id, r.kind == kind, r.ts == ts)
    sender = conn.execute(sa.select(r.source_id).where(*key)).first()
    deleted = conn.execute(sa.delete(tables.readings).where(*key)).rowcount
    if not deleted:
        return False
    forget_identifiers(conn, patient_id, kind, ts)
    dmn_id = sources.dmn_of(conn, sender.source_id) if sender is not None else None
    if dmn_id is not None:
        _count_dmn(conn, [Reading(patient_id, kind, ts, 0.0)], dmn_id, -1)
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
