"""Bulk writes on PostgreSQL with COPY (issue 18).

A big batch of rows is streamed with `COPY … FROM STDIN` into a temporary table shaped like the
target (`LIKE`, dropped at commit), then moved with one `INSERT … SELECT … ON CONFLICT DO
NOTHING RETURNING` of its key. The database still says which rows are new, so a duplicate
(stored before, or by a concurrent writer) creates nothing and the callers' counters follow
the rows returned, exactly as with the multi-row `INSERT` of `readings.py`; only the way the
values travel changes (one COPY stream instead of statements of 2,000 rows × 4 parameters).

The columns are those of the target table that the records carry as attributes of the same
name (a column added to the table and to the record flows without another change here);
columns the records lack take the table's defaults, or the value given for the whole batch in
`same` (a reading's `source_id`: one sender per batch, issue 17).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

#: From this many rows the COPY path is used for readings on PostgreSQL. Measured with
#: `readings.store` on the shared, loaded 2-core machine (2026-11-30, best of 5, COPY ÷ INSERT
#: speed): 10 rows 0.81, 100 rows 0.64, 200 rows 1.12, 500 rows 1.27–1.50, 1,000 rows
#: 1.02–1.22, 5,000 rows 1.55–1.98, 20,000 rows 3.35. Below a few hundred rows, creating the
#: temporary table costs what the COPY saves (the group commit's batches of single readings).
ABOVE = 500


def columns(table: sa.Table, record: Any) -> list[str]:
    """The columns of `table` that `record` carries (as attributes of the same name)."""
    found = [c.name for c in table.columns if hasattr(record, c.name)]
    if not found:
        raise ValueError(f"{type(record).__name__} carries no column of {table.name}")
    return found


def insert_new(
    conn: sa.Connection,
    table: sa.Table,
    records: Sequence[Any],
    key: Sequence[str],
    same: Mapping[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Insert `records` (in the order given: callers sort them by key, so that concurrent
    writers lock in one order) unless their `key` is already there; the keys of the rows
    written. `same` gives columns whose value is the batch's, not the record's. No commit
    here: the caller's transaction holds the rows and its counters."""
    if not records:
        return []
    fixed = dict(same or {})
    names = [n for n in columns(table, records[0]) if n not in fixed]
    tail = tuple(fixed.values())
    listed = ", ".join([*names, *fixed])
    keys = ", ".join(key)
    staging = f"{table.name}_copy_in"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {staging}")
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {staging} (LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    raw = conn.connection.driver_connection
    assert raw is not None
    # the record's columns read in C, one tuple per row (a single column comes back alone)
    values = operator.attrgetter(*names)
    single = len(names) == 1
    with raw.cursor() as cursor, cursor.copy(f"COPY {staging} ({listed}) FROM STDIN") as stream:
        write = stream.write_row
        for record in records:
            write((values(record), *tail) if single else (*values(record), *tail))
    return [
        tuple(row)
        for row in conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({listed}) SELECT {listed} FROM {staging} "
            f"ON CONFLICT ({keys}) DO NOTHING RETURNING {keys}"
        )
    ]
