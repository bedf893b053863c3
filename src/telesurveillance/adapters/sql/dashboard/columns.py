"""Readings of one patient as compact columns, for a chart or a glucose report (thousands of
rows a page): the driver's own tuples, without the result layer's `Row` per row, which cost
about as much again as the database's read (cProfile, issue 18 point 23e)."""

from __future__ import annotations

import itertools
import operator
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables

#: kind → (instants in UTC ms, values), each in time order
Columns = dict[int, tuple[list[int], list[float]]]


def driver_rows(conn: sa.Connection, query: sa.Select[Any]) -> list[Any]:
    """The rows of `query` as the DBAPI driver returns them. Only for columns the driver hands
    over ready (integers, floats: both SQLite and psycopg), since no result processing runs."""
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def readings(
    conn: sa.Connection,
    patient_id: int,
    since_ms: int,
    until_ms: int | None = None,
    kind: int | None = None,
) -> Columns:
    """The patient's readings in `[since_ms, until_ms)` (no end: up to now), of one kind or of
    all, per kind (in kind order), read by the readings' key."""
    r = tables.readings.c
    query = sa.select(r.kind, r.ts, r.value).where(r.patient_id == patient_id, r.ts >= since_ms)
    if until_ms is not None:
        query = query.where(r.ts < until_ms)
    if kind is not None:
        query = query.where(r.kind == kind)
    out: Columns = {}
    rows = driver_rows(conn, query.order_by(r.kind, r.ts))
    for kind_id, group in itertools.groupby(rows, operator.itemgetter(0)):
        run = list(group)
        out[int(kind_id)] = ([row[1] for row in run], [row[2] for row in run])
    return out
