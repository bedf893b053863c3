"""The ledger over SQL: `SqlLedger` implements the `billing_ledger.Ledger` port.

Appends only. `append` inserts with `ON CONFLICT DO NOTHING` on the ledger's unique key, so of two
runs that race on the same period × forfait × generation, the store keeps the first and the
second learns, from the rows it finds written, which of its lines were not.

A line's basis text is stored once in `billing_bases` and the line points at it (`basis_id`);
every read joins it back, so `ledger.Line.basis` is the text, as before. The lines are written in
bulk: `executemany` on SQLite; on PostgreSQL one `COPY` straight into the table, or, when a
line of the same key was written meanwhile, `COPY` into a temporary table then one `INSERT …
SELECT … ON CONFLICT DO NOTHING`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.billing import tables
from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.domain.billing import verdict
from telesurveillance.services.billing import ledger

L = tables.billing_lines
B = tables.billing_bases
#: The columns a line is written with (`basis_id` stands for the line's basis text).
_FIELDS = (
    "run_id",
    "entry",
    "generation",
    "reverses_id",
    "prise_en_charge_id",
    "patient_id",
    "operateur_id",
    "exploitant_id",
    "dmn_id",
    "indication",
    "period_number",
    "period_start",
    "period_last_day",
    "forfait",
    "code",
    "coefficient",
    "amount_cents",
    "amo_cents",
    "amc_cents",
    "days_with_data",
    "expected_days",
    "basis_id",
    "notes",
    "reason",
    "created_at",
)
#: What a written line is recognised by: its id and its unique key.
_KEY_COLUMNS = "id, prise_en_charge_id, period_number, forfait, generation, entry"


class SqlLedger:
    """The ledger and the streams of one store."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def streams(
        self,
        until: dt.date,
        operateur_id: int | None = None,
        days: Mapping[int, frozenset[dt.date]] | None = None,
    ) -> list[ledger.Stream]:
        with self.engine.connect() as conn:
            return ledger_streams.load(conn, until, operateur_id, days)

    def lines(
        self,
        *,
        operateur_id: int | None = None,
        exploitant_id: int | None = None,
        run_id: int | None = None,
        ids: Sequence[int] | None = None,
    ) -> list[ledger.Line]:
        query = sa.select(L, B.c.basis).join(B, B.c.id == L.c.basis_id).order_by(L.c.id)
        if operateur_id is not None:
            query = query.where(L.c.operateur_id == operateur_id)
        if exploitant_id is not None:
            query = query.where(L.c.exploitant_id == exploitant_id)
        if run_id is not None:
            query = query.where(L.c.run_id == run_id)
        if ids is not None:
            query = query.where(L.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return [_line(r) for r in conn.execute(query).mappings()]

    def written(self, *, operateur_id: int | None = None) -> list[ledger.Written]:
        query = (
            "SELECT prise_en_charge_id, period_number, forfait, generation, entry, id, "
            "reverses_id FROM billing_lines"
        )
        params: dict[str, Any] = {}
        if operateur_id is not None:
            query += " WHERE operateur_id = :operateur"
            params["operateur"] = operateur_id
        forfaits = {f.value: f for f in verdict.Forfait}
        entries = {e.value: e for e in ledger.Entry}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(query + " ORDER BY id"), params)
            return [
                ledger.Written(pec, number, forfaits[forfait], generation, entries[entry], i, rev)
                for pec, number, forfait, generation, entry, i, rev in rows
            ]

    def start(
        self,
        kind: str,
        until: dt.date | None,
        operateur_id: int | None,
        actor: str,
        at: dt.datetime,
    ) -> ledger.Run:
        runs = tables.billing_runs
        with database.writing(self.engine) as conn:
            if (
                operateur_id is not None
                and not conn.execute(
                    sa.select(schema.operateurs.c.id).where(schema.operateurs.c.id == operateur_id)
                ).first()
            ):
                raise ledger.UnknownOperateur(operateur_id)
            run_id = conn.execute(
                sa.insert(runs)
                .values(
                    kind=kind, until=until, operateur_id=operateur_id, actor=actor, started_at=at
                )
                .returning(runs.c.id)
            ).scalar_one()
        return ledger.Run(run_id, kind, until, operateur_id, actor, at)

    def append(self, run: ledger.Run, lines: Iterable[ledger.Line]) -> tuple[ledger.Line, ...]:
        pending = list(lines)
        if not pending:
            return ()
        with database.writing(self.engine) as conn:
            basis_ids = _basis_ids(conn, {ln.basis for ln in pending})
            rows = _rows(conn, run, pending, basis_ids)
            if conn.dialect.name == "postgresql":
                found = _copy_in(conn, run, rows)
            else:
                found = _insert_many(conn, run, rows)
        by_key = {_unique(ln): ln for ln in pending}
        # Each written line as given, with its id, run and time (a `Line` built from its values:
        # `dataclasses.replace` cost more than the insert itself on big runs).
        stored = (run.id, run.started_at)
        written = [
            _as_stored(by_key[(pec, number, forfait, generation, entry)], line_id, stored)
            for line_id, pec, number, forfait, generation, entry in found
        ]
        return tuple(sorted(written, key=lambda ln: ln.id or 0))

    def record(
        self,
        line_ids: Sequence[int],
        status: ledger.Status,
        actor: str,
        at: dt.datetime,
        note: str | None = None,
    ) -> int:
        """Record a status event on each existing line; returns how many were recorded."""
        events = tables.billing_line_events
        with database.writing(self.engine) as conn:
            existing = conn.execute(sa.select(L.c.id).where(L.c.id.in_(list(line_ids)))).scalars()
            rows = [
                {"line_id": i, "status": status.value, "actor": actor, "at": at, "note": note}
                for i in existing
            ]
            if rows:
                conn.execute(sa.insert(events), rows)
        return len(rows)

    def statuses(self, line_ids: Sequence[int] | None = None) -> dict[int, ledger.Status]:
        """Each line's latest status (lines never sent are absent)."""
        ev = tables.billing_line_events.c
        query = sa.select(ev.line_id, ev.status).order_by(ev.at, ev.id)
        if line_ids is not None:
            query = query.where(ev.line_id.in_(list(line_ids)))
        with self.engine.connect() as conn:
            return {i: ledger.Status(s) for i, s in conn.execute(query)}

    def latest_events(self, line_ids: Sequence[int] | None = None) -> dict[int, ledger.Event]:
        """Each line's latest status event, with who and when (lines never marked are absent)."""
        ev = tables.billing_line_events.c
        query = sa.select(ev.line_id, ev.status, ev.actor, ev.at, ev.note).order_by(ev.at, ev.id)
        if line_ids is not None:
            query = query.where(ev.line_id.in_(list(line_ids)))
        with self.engine.connect() as conn:
            return {
                r.line_id: ledger.Event(r.line_id, ledger.Status(r.status), r.actor, r.at, r.note)
                for r in conn.execute(query)
            }

    def record_from(
        self,
        line_ids: Sequence[int],
        allowed: Mapping[ledger.Status | None, frozenset[ledger.Status]],
        status: ledger.Status,
        actor: str,
        at: dt.datetime,
        note: str | None,
    ) -> tuple[list[int], list[int]]:
        """Compare-and-set over the lines' latest events: the lines are locked (PostgreSQL:
        `FOR UPDATE`; SQLite: the writer's `BEGIN IMMEDIATE`), their latest statuses read and
        the events appended in the same transaction, so two desks never both move a line."""
        wanted = sorted(set(line_ids))
        ev = tables.billing_line_events.c
        with database.writing(self.engine) as conn:
            held = set(
                conn.execute(
                    sa.select(L.c.id).where(L.c.id.in_(wanted)).order_by(L.c.id).with_for_update()
                ).scalars()
            )
            latest: dict[int, ledger.Status] = {}
            query = sa.select(ev.line_id, ev.status).where(ev.line_id.in_(list(held)))
            for line_id, found in conn.execute(query.order_by(ev.at, ev.id)):
                latest[line_id] = ledger.Status(found)
            recorded = [i for i in wanted if i in held and status in allowed.get(latest.get(i), ())]
            if recorded:
                conn.execute(
                    sa.insert(tables.billing_line_events),
                    [
                        {
                            "line_id": i,
                            "status": status.value,
                            "actor": actor,
                            "at": at,
                            "note": note,
                        }
                        for i in recorded
                    ],
                )
        return recorded, [i for i in wanted if i not in set(recorded)]

    def runs(self) -> list[ledger.Run]:
        r = tables.billing_runs
        with self.engine.connect() as conn:
            return [
                ledger.Run(x.id, x.kind, x.until, x.operateur_id, x.actor, x.started_at)
                for x in conn.execute(sa.select(r).order_by(r.c.id))
            ]


def _basis_ids(conn: sa.Connection, texts: set[str]) -> dict[str, int]:
    """The id of each basis text, adding the texts not stored yet. Two runs adding the same text
    at once both end with the one row kept (`ON CONFLICT DO NOTHING` on its digest)."""
    digests = {hashlib.sha256(text.encode()).hexdigest(): text for text in texts}
    insert = _upsert(conn)(B).on_conflict_do_nothing(index_elements=["digest"])
    conn.execute(insert, [{"digest": d, "basis": t} for d, t in digests.items()])
    found = conn.execute(sa.select(B.c.digest, B.c.id).where(B.c.digest.in_(list(digests))))
    return {digests[digest]: basis_id for digest, basis_id in found}


def _upsert(conn: sa.Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


#: A line's values but its id, run and time, which are its last three fields.
_STORED = ("id", "run_id", "created_at")
_LINE_FIELDS = tuple(f.name for f in dataclasses.fields(ledger.Line))
if _LINE_FIELDS[-len(_STORED) :] != _STORED:
    raise TypeError(f"ledger.Line must end with the fields {_STORED}")
_UNSTORED = operator.attrgetter(*_LINE_FIELDS[: -len(_STORED)])


def _as_stored(ln: ledger.Line, line_id: int, stored: tuple[int, dt.datetime]) -> ledger.Line:
    values: tuple[Any, ...] = (*_UNSTORED(ln), line_id, *stored)
    return ledger.Line(*values)


_GET = operator.attrgetter(*(f if f != "basis_id" else "basis" for f in _FIELDS))
_ENTRY, _FORFAIT, _RUN, _CREATED, _BASIS = (
    _FIELDS.index(f) for f in ("entry", "forfait", "run_id", "created_at", "basis_id")
)


def _rows(
    conn: sa.Connection, run: ledger.Run, lines: list[ledger.Line], basis_ids: dict[str, int]
) -> list[tuple[object, ...]]:
    """The lines as rows of `_FIELDS`, converted as this dialect stores them (SQLAlchemy's own
    processors, applied once per distinct value: a run has few distinct days)."""
    processors: list[tuple[int, Any, dict[object, object]]] = []
    for i, f in enumerate(_FIELDS):
        processor = L.c[f].type._cached_bind_processor(conn.dialect)
        if processor is not None:
            processors.append((i, processor, {}))
    rows = []
    for ln in lines:
        values = list(_GET(ln))
        values[_ENTRY] = ln.entry.value
        values[_FORFAIT] = ln.forfait.value
        values[_RUN] = run.id
        values[_CREATED] = run.started_at
        values[_BASIS] = basis_ids[ln.basis]
        for i, processor, seen in processors:
            value = values[i]
            if value is not None:
                done = seen.get(value)
                if done is None:
                    done = seen[value] = processor(value)
                values[i] = done
        rows.append(tuple(values))
    return rows


def _insert_many(
    conn: sa.Connection, run: ledger.Run, rows: list[tuple[object, ...]]
) -> list[tuple[Any, ...]]:
    """SQLite: one prepared INSERT stepped over every row. The write transaction holds the
    store's only write lock (BEGIN IMMEDIATE), so the lines written are those of this run above
    the largest id before it."""
    before = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM billing_lines").scalar_one()
    marks = ", ".join("?" * len(_FIELDS))
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(
            f"INSERT INTO billing_lines ({', '.join(_FIELDS)}) VALUES ({marks}) "
            "ON CONFLICT DO NOTHING",
            rows,
        )
    finally:
        cursor.close()
    return list(
        conn.exec_driver_sql(
            f"SELECT {_KEY_COLUMNS} FROM billing_lines WHERE id > ? AND run_id = ? ORDER BY id",
            (before, run.id),
        )
    )


def _copy_in(
    conn: sa.Connection, run: ledger.Run, rows: list[tuple[object, ...]]
) -> list[tuple[Any, ...]]:
    """PostgreSQL: COPY the rows straight into `billing_lines` under a savepoint, in their order
    (ids follow it). When one of them already stands (a line of the same key written since the
    run read the ledger, e.g. by a concurrent run), the unique key refuses the whole COPY: the
    savepoint is rolled back and the rows go the careful way (`_copy_then_insert`)."""
    before = conn.exec_driver_sql(
        "SELECT coalesce(max(id), 0) FROM billing_lines WHERE run_id = %(run)s", {"run": run.id}
    ).scalar_one()
    savepoint = conn.begin_nested()
    try:
        _copy(conn, "billing_lines", _FIELDS, rows)
    except psycopg.errors.UniqueViolation:
        savepoint.rollback()
        return _copy_then_insert(conn, rows)
    savepoint.commit()
    return list(
        conn.exec_driver_sql(
            f"SELECT {_KEY_COLUMNS} FROM billing_lines WHERE run_id = %(run)s AND id > %(before)s "
            "ORDER BY id",
            {"run": run.id, "before": before},
        )
    )


def _copy(
    conn: sa.Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[object, ...]]
) -> None:
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _copy_then_insert(conn: sa.Connection, rows: list[tuple[object, ...]]) -> list[tuple[Any, ...]]:
    """COPY the rows into a temporary table, then one INSERT … SELECT that skips the lines
    already there and returns those it wrote; ids follow the rows' order (`seq`)."""
    columns = ", ".join(_FIELDS)
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE billing_lines_in ON COMMIT DROP AS "
        f"SELECT 0 AS seq, {columns} FROM billing_lines WITH NO DATA"
    )
    numbered = ((seq, *row) for seq, row in enumerate(rows))
    _copy(conn, "billing_lines_in", ("seq", *_FIELDS), numbered)
    return list(
        conn.exec_driver_sql(
            f"INSERT INTO billing_lines ({columns}) SELECT {columns} FROM billing_lines_in "
            f"ORDER BY seq ON CONFLICT DO NOTHING RETURNING {_KEY_COLUMNS}"
        )
    )


def _unique(ln: ledger.Line) -> tuple[int, int, str, int, str]:
    return (
        ln.prise_en_charge_id,
        ln.period_number,
        ln.forfait.value,
        ln.generation,
        ln.entry.value,
    )


def _line(r: sa.RowMapping) -> ledger.Line:
    values = {f: r[f] for f in _FIELDS if f != "basis_id"}
    values["basis"] = r["basis"]
    values["entry"] = ledger.Entry(r["entry"])
    values["forfait"] = verdict.Forfait(r["forfait"])
    return ledger.Line(id=r["id"], **values)
