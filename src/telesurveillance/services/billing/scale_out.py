"""Scale-out: the day counters billing reads (and, on request, the raw readings) handed over as
Parquet files, so Spark SQL or DuckDB run the same days-with-data aggregation beyond one machine
(`adapters.spark`, docs/billing-run.md).

The store writes the files (`Snapshot`, streamed in batches); this module decides what leaves.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Protocol


class Table(StrEnum):
    #: `(patient_id, day, kind, n)`: what billing aggregates
    READING_DAYS = "reading_days"
    #: `(patient_id, kind, ts, value)`: the raw readings, for recomputing the counters
    READINGS = "readings"


class Snapshot(Protocol):
    """The port: the store's tables written as Parquet."""

    def write(self, table: Table, out: Path) -> int:
        """Write `table` to `out/<table>/part-0.parquet`; returns the number of rows."""
        ...


def export(snapshot: Snapshot, out: Path, *, raw: bool = False) -> dict[str, int]:
    """Export the day counters, and the raw readings when `raw`; returns rows per table."""
    tables = (Table.READING_DAYS, Table.READINGS) if raw else (Table.READING_DAYS,)
    return {table.value: snapshot.write(table, out) for table in tables}
