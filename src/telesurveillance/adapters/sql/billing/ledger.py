"""The ledger over SQL: `SqlLedger` implements the `billing_ledger.Ledger` port.

Appends only. `append` inserts with `ON CONFLICT DO NOTHING` on the ledger's unique key, so of two
runs that race on the same period × forfait × generation, the store keeps the first and the
second learns, from the rows returned, which of its lines were not written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import streams as ledger_streams
from telesurveillance.adapters.sql.billing import tables
from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.domain.billing import verdict
from telesurveillance.services.billing import ledger

L = tables.billing_lines
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
    "basis",
    "notes",
    "reason",
    "created_at",
)
#: Rows per INSERT (25 columns; SQLite allows 32,766 parameters per statement).
CHUNK = 1000


class SqlLedger:
    """The ledger and the streams of one store."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def streams(self, until: dt.date, operateur_id: int | None = None) -> list[ledger.Stream]:
        with self.engine.connect() as conn:
            return ledger_streams.load(conn, until, operateur_id)

    def lines(
        self,
        *,
        operateur_id: int | None = None,
        exploitant_id: int | None = None,
        run_id: int | None = None,
        ids: Sequence[int] | None = None,
    ) -> list[ledger.Line]:
        query = sa.select(L).order_by(L.c.id)
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
        written: list[ledger.Line] = []
        with database.writing(self.engine) as conn:
            processors = _processors(conn)
            for start in range(0, len(pending), CHUNK):
                chunk = pending[start : start + CHUNK]
                params = tuple(v for ln in chunk for v in _values(ln, run, processors))
                by_key = {_unique(ln): ln for ln in chunk}
                result = conn.exec_driver_sql(_insert_sql(conn, len(chunk)), params)
                for line_id, *key in result:
                    found = by_key[(key[0], key[1], key[2], key[3], key[4])]
                    written.append(
                        dataclasses.replace(
                            found, id=line_id, run_id=run.id, created_at=run.started_at
                        )
                    )
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

    def runs(self) -> list[ledger.Run]:
        r = tables.billing_runs
        with self.engine.connect() as conn:
            return [
                ledger.Run(x.id, x.kind, x.until, x.operateur_id, x.actor, x.started_at)
                for x in conn.execute(sa.select(r).order_by(r.c.id))
            ]


def _insert_sql(conn: sa.Connection, rows: int) -> str:
    """One multi-row INSERT written by hand: SQLAlchemy compiles a statement per distinct row
    count and that compilation, not the database, dominated large runs."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    one = "(" + ",".join([mark] * len(_FIELDS)) + ")"
    return (
        f"INSERT INTO billing_lines ({', '.join(_FIELDS)}) VALUES {','.join([one] * rows)} "
        "ON CONFLICT DO NOTHING "
        "RETURNING id, prise_en_charge_id, period_number, forfait, generation, entry"
    )


def _unique(ln: ledger.Line) -> tuple[int, int, str, int, str]:
    return (
        ln.prise_en_charge_id,
        ln.period_number,
        ln.forfait.value,
        ln.generation,
        ln.entry.value,
    )


_GET = operator.attrgetter(*_FIELDS)
_ENTRY, _FORFAIT, _RUN, _CREATED = (
    _FIELDS.index(f) for f in ("entry", "forfait", "run_id", "created_at")
)


def _processors(conn: sa.Connection) -> list[tuple[int, Any]]:
    """The columns whose values this dialect converts (dates as SQLAlchemy stores them)."""
    found = []
    for i, f in enumerate(_FIELDS):
        processor = L.c[f].type._cached_bind_processor(conn.dialect)
        if processor is not None:
            found.append((i, processor))
    return found


def _values(ln: ledger.Line, run: ledger.Run, processors: list[tuple[int, Any]]) -> list[object]:
    values = list(_GET(ln))
    values[_ENTRY] = ln.entry.value
    values[_FORFAIT] = ln.forfait.value
    values[_RUN] = run.id
    values[_CREATED] = run.started_at
    for i, processor in processors:
        values[i] = processor(values[i])
    return values


def _line(r: sa.RowMapping) -> ledger.Line:
    values = {f: r[f] for f in _FIELDS}
    values["entry"] = ledger.Entry(r["entry"])
    values["forfait"] = verdict.Forfait(r["forfait"])
    return ledger.Line(id=r["id"], **values)
