"""The worklist's per-prise-en-charge counter of the current period (issue 18, point 3): the
worklist reads one indexed row per prise en charge instead of counting days in `reading_days`.

Two tables, kept in the transaction of every write of readings:

- `patient_days` (patient, Paris day) → readings that day, any kind. `added` upserts it with
  `n = n + k … RETURNING n`: a day whose `n` comes back equal to what this write added is a day
  that had no data before — decided by the database row itself, so two concurrent writers never
  both count the same new day. `removed` (a withdrawal) decrements it and deletes it at 0.
- `worklist_periods` (prise en charge) → the period it counts (`period_start`..`period_end`) and
  its days with data. A new day of a patient adds 1 to each of the patient's rows whose period
  holds that day (`UPDATE … SET days = days + CASE …` over all the patient's rows, so the rows are
  locked whatever their period); a withdrawn day's last reading takes 1 off.

The period roll-over happens at read time (`current`): a prise en charge without a row, or
whose row counts another period than the one holding `today` (a new period started, its start
date changed), gets its row set to the current period and recounted from `patient_days` (an index
range), in a write transaction. On PostgreSQL writers and the roll-over of one patient are
serialised by a transaction-scoped advisory lock on the patient, taken before `patient_days` is
touched: a recount never misses a day written by a transaction still in flight. The counter
therefore always equals `recount` (the tests compare them after random ingests, withdrawals and
roll-overs, on both backends).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from telesurveillance.adapters.sql.core import tables

#: Prises en charge per `IN` list of a roll-over.
CHUNK = 500
#: The advisory-lock namespace of the worklist counters (PostgreSQL `pg_advisory_xact_lock`).
LOCK_SPACE = 18_3

patient_days = sa.Table(
    "patient_days",
    tables.metadata,
    sa.Column("patient_id", sa.Integer, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    # readings of that Paris day, every kind
    sa.Column("n", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("patient_id", "day", name="pk_patient_days"),
    sqlite_with_rowid=False,
)

worklist_periods = sa.Table(
    "worklist_periods",
    tables.metadata,
    sa.Column("prise_en_charge_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("patient_id", sa.Integer, nullable=False, index=True),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("days", sa.Integer, nullable=False),
)

#: The worklist's latest prescription of each prise en charge, read from the index alone
#: (migration 0011_s22d_worklist_indexes): one seek per prise en charge, no sort.
latest_prescription = sa.Index(
    "ix_prescriptions_latest",
    tables.prescriptions.c.prise_en_charge_id,
    tables.prescriptions.c.prescribed_on,
    tables.prescriptions.c.id,
)


def _lock(conn: sa.Connection, patients: Iterable[int]) -> None:
    """PostgreSQL: the patients' counter locks until the transaction ends, in id order (no
    deadlock between two writers); SQLite has one writer at a time already."""
    if conn.dialect.name != "postgresql":
        return
    ordered = sorted(set(patients))
    if ordered:  # one statement: the locks are taken in the array's (sorted) order
        conn.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(%s::int4, p) FROM unnest(%s::int4[]) AS t(p)",
            (LOCK_SPACE, ordered),
        )


def _insert(conn: sa.Connection) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(patient_days)
    return sqlite.insert(patient_days)


def _shift(conn: sa.Connection, changes: Mapping[tuple[int, dt.date], int]) -> None:
    """Add ±1 to each counter of the patient whose period holds the day."""
    if not changes:
        return
    ordered = sorted(changes.items())
    if conn.dialect.name == "postgresql":  # one statement, the days travelling as arrays
        conn.exec_driver_sql(
            "UPDATE worklist_periods AS w SET days = w.days + s.k FROM ("
            "SELECT w2.prise_en_charge_id AS id, sum(t.k)::int4 AS k "
            "FROM unnest(%s::int4[], %s::date[], %s::int4[]) AS t(p, d, k) "
            "JOIN worklist_periods AS w2 ON w2.patient_id = t.p "
            "AND t.d BETWEEN w2.period_start AND w2.period_end "
            "GROUP BY w2.prise_en_charge_id) AS s WHERE w.prise_en_charge_id = s.id",
            (
                [p for (p, _d), _k in ordered],
                [d for (_p, d), _k in ordered],
                [k for _, k in ordered],
            ),
        )
        return
    w = worklist_periods.c
    day = sa.bindparam("d", type_=sa.Date)
    inside = sa.and_(w.period_start <= day, w.period_end >= day)
    statement = (
        sa.update(worklist_periods)
        .where(w.patient_id == sa.bindparam("p"))
        .values(days=w.days + sa.case((inside, sa.bindparam("k")), else_=0))
    )
    conn.execute(statement, [{"p": p, "d": d, "k": k} for (p, d), k in ordered])


def added(conn: sa.Connection, per_day: Mapping[tuple[int, dt.date], int]) -> None:
    """New readings were stored: `per_day` is (patient, Paris day) → how many (no commit).
    On PostgreSQL the upsert and the shift are one statement each whatever the number of days
    (the rows travel as one array per column)."""
    if not per_day:
        return
    _lock(conn, (p for p, _d in per_day))
    keys = sorted(per_day)
    if conn.dialect.name == "postgresql":
        found = conn.exec_driver_sql(
            "INSERT INTO patient_days (patient_id, day, n) "
            "SELECT * FROM unnest(%s::int4[], %s::date[], %s::int4[]) AS t(patient_id, day, n) "
            "ORDER BY patient_id, day ON CONFLICT (patient_id, day) "
            "DO UPDATE SET n = patient_days.n + excluded.n RETURNING patient_id, day, n",
            ([p for p, _d in keys], [d for _p, d in keys], [per_day[k] for k in keys]),
        )
        rows: Iterable[tuple[int, dt.date, int]] = [(p, d, n) for p, d, n in found]
    else:
        upsert = _insert(conn)
        d = patient_days.c
        statement = upsert.on_conflict_do_update(
            index_elements=["patient_id", "day"], set_={"n": d.n + upsert.excluded.n}
        ).returning(d.patient_id, d.day, d.n, sort_by_parameter_order=True)
        values = [{"patient_id": p, "day": day, "n": per_day[(p, day)]} for p, day in keys]
        rows = [(p, day, n) for p, day, n in conn.execute(statement, values)]
    # a day whose count is what this write added had nothing before it
    _shift(conn, {(p, day): 1 for p, day, n in rows if n == per_day[(p, day)]})


def removed(conn: sa.Connection, patient_id: int, day: dt.date) -> None:
    """One reading of `patient_id` on `day` was withdrawn (no commit)."""
    _lock(conn, [patient_id])
    d = patient_days.c
    left = conn.execute(
        sa.update(patient_days)
        .where(d.patient_id == patient_id, d.day == day)
        .values(n=d.n - 1)
        .returning(d.n)
    ).scalar_one_or_none()
    if left is None or left > 0:
        return
    conn.execute(sa.delete(patient_days).where(d.patient_id == patient_id, d.day == day))
    _shift(conn, {(patient_id, day): -1})


def count(conn: sa.Connection, patient_id: int, start: dt.date, end: dt.date) -> int:
    """Days with data of `patient_id` from `start` to `end` (an index range)."""
    d = patient_days.c
    query = sa.select(sa.func.count()).where(
        d.patient_id == patient_id, d.day >= start, d.day <= end
    )
    return int(conn.execute(query).scalar_one())


def roll(conn: sa.Connection, stale: Iterable[tuple[int, int, dt.date, dt.date]]) -> dict[int, int]:
    """Set each (prise en charge, patient, start, end) counter to that period, recounted; in
    the caller's write transaction, set-based (a first read may roll thousands over). The
    prise en charge id → its days."""
    todo = sorted(stale, key=lambda s: (s[1], s[0]))
    if not todo:
        return {}
    _lock(conn, (s[1] for s in todo))
    w = worklist_periods.c
    pd = patient_days.c
    ids = [pec_id for pec_id, _p, _s, _e in todo]
    conn.execute(
        sa.delete(worklist_periods).where(w.prise_en_charge_id == sa.bindparam("pec")),
        [{"pec": pec_id} for pec_id in ids],
    )
    conn.execute(
        sa.insert(worklist_periods),
        [
            {
                "prise_en_charge_id": pec_id,
                "patient_id": patient_id,
                "period_start": start,
                "period_end": end,
                "days": 0,
            }
            for pec_id, patient_id, start, end in todo
        ],
    )
    days = (
        sa.select(sa.func.count())
        .where(pd.patient_id == w.patient_id, pd.day >= w.period_start, pd.day <= w.period_end)
        .scalar_subquery()
    )
    found: dict[int, int] = {}
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first : first + CHUNK]
        conn.execute(
            sa.update(worklist_periods).where(w.prise_en_charge_id.in_(chunk)).values(days=days)
        )
        rows = conn.execute(
            sa.select(w.prise_en_charge_id, w.days).where(w.prise_en_charge_id.in_(chunk))
        )
        found.update({int(pec_id): int(n) for pec_id, n in rows})
    return found


def roll_all(
    conn: sa.Connection, stale: sa.Subquery, length: int, params: Mapping[str, object]
) -> None:
    """Set the counter of every row of `stale` (prise en charge `pec_id`, `patient_id`, the
    `start` of its current period) to that period, recounted from `patient_days`: one
    `INSERT … SELECT … ON CONFLICT DO UPDATE`, in the caller's write transaction (a first read
    of the day may roll thousands over). On PostgreSQL one statement first takes the patients'
    counter locks, in id order, from the same set."""
    if conn.dialect.name == "postgresql":
        patient = stale.c.patient_id
        ids_in_order = postgresql.aggregate_order_by(sa.distinct(patient), patient)
        ordered = sa.select(sa.func.array_agg(ids_in_order)).scalar_subquery()
        ids = sa.func.unnest(ordered).table_valued("p").render_derived(name="t")
        lock = sa.select(sa.func.pg_advisory_xact_lock(sa.cast(LOCK_SPACE, sa.Integer), ids.c.p))
        conn.execute(lock, dict(params))
    pd = patient_days.c
    end = _plus_days(conn, stale.c.start, length - 1)
    days = (
        sa.select(sa.func.count())
        .where(pd.patient_id == stale.c.patient_id, pd.day >= stale.c.start, pd.day <= end)
        .scalar_subquery()
    )
    rows = sa.select(stale.c.pec_id, stale.c.patient_id, stale.c.start, end, days).where(
        sa.true()
    )  # SQLite parses `INSERT … SELECT … ON CONFLICT` only after a WHERE
    upsert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
        worklist_periods
    ).from_select(["prise_en_charge_id", "patient_id", "period_start", "period_end", "days"], rows)
    statement = upsert.on_conflict_do_update(
        index_elements=["prise_en_charge_id"],
        set_={
            "patient_id": upsert.excluded.patient_id,
            "period_start": upsert.excluded.period_start,
            "period_end": upsert.excluded.period_end,
            "days": upsert.excluded.days,
        },
    )
    conn.execute(statement, dict(params))


def _plus_days(conn: sa.Connection, day: sa.ColumnElement[Any], n: int) -> sa.ColumnElement[Any]:
    """SQL for `day` + `n` days (a date on both backends)."""
    if conn.dialect.name == "postgresql":
        return sa.cast(day + n, sa.Date)
    return sa.func.date(day, f"+{n} days")


def stored(conn: sa.Connection) -> dict[int, tuple[dt.date, dt.date, int]]:
    """Every counter: prise en charge → (period start, period end, days) (for the tests)."""
    w = worklist_periods.c
    rows = conn.execute(sa.select(w.prise_en_charge_id, w.period_start, w.period_end, w.days))
    return {r[0]: (_as_date(r[1]), _as_date(r[2]), int(r[3])) for r in rows}


def recount(conn: sa.Connection, patient_id: int, start: dt.date, end: dt.date) -> int:
    """The days with data recomputed from `reading_days` (what a counter must equal)."""
    rd = tables.reading_days.c
    query = sa.select(sa.func.count(sa.distinct(rd.day))).where(
        rd.patient_id == patient_id, rd.day >= start, rd.day <= end
    )
    return int(conn.execute(query).scalar_one())


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
