"""The store's counters (and optionally its raw readings) as Parquet, for Spark or DuckDB.

`reading_days/part-0.parquet` holds `(patient_id, day, kind, n)`; `readings/part-0.parquet`
holds `(patient_id, kind, ts, value)`. Written in streamed batches so the export of a large store
does not hold it in memory. `ParquetSnapshot` is the `services.billing.scale_out.Snapshot` port
over an engine (wired by `telesurveillance.composition`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.services.billing import scale_out

BATCH = 200_000

SCHEMAS = {
    "reading_days": pa.schema(
        [("patient_id", pa.int64()), ("day", pa.date32()), ("kind", pa.int16()), ("n", pa.int32())]
    ),
    "readings": pa.schema(
        [
            ("patient_id", pa.int64()),
            ("kind", pa.int16()),
            ("ts", pa.int64()),
            ("value", pa.float64()),
        ]
    ),
}


def _batches(
    engine: sa.Engine, table: sa.Table, columns: Sequence[str]
) -> Iterator[list[Sequence[object]]]:
    query = sa.select(*(table.c[c] for c in columns)).order_by(*table.primary_key.columns)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
        for part in result.partitions(BATCH):
            yield [tuple(r) for r in part]


def export_table(engine: sa.Engine, name: str, out: Path) -> int:
    """Write table `name` under `out/name/part-0.parquet`; returns the number of rows."""
    table = schema.metadata.tables[name]
    arrow_schema = SCHEMAS[name]
    columns = arrow_schema.names
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with pq.ParquetWriter(folder / "part-0.parquet", arrow_schema) as writer:
        for rows in _batches(engine, table, columns):
            arrays = [
                pa.array([r[i] for r in rows], type=arrow_schema.field(i).type)
                for i in range(len(columns))
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=arrow_schema))
            count += len(rows)
    return count


class ParquetSnapshot:
    """The store's tables as Parquet files (`scale_out.Snapshot`)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def write(self, table: scale_out.Table, out: Path) -> int:
        return export_table(self.engine, table.value, out)


def export(engine: sa.Engine, out: Path, *, raw: bool = False) -> dict[str, int]:
    """Export the day counters, and the raw readings when `raw`; returns rows per table."""
    return scale_out.export(ParquetSnapshot(engine), out, raw=raw)
