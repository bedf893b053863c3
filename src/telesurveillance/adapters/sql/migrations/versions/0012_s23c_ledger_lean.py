"""A ledger line is written with fewer checks: the foreign keys of the columns copied from its
prise en charge (patient, opérateur, DMN, exploitant) and the unused index on `patient_id` go.

Measured on PostgreSQL (issue 18, 2,000 × 12: 44,886 lines, `EXPLAIN ANALYZE` of the run's
`INSERT … SELECT`): each foreign key is a row trigger costing ~18 µs a line (8.2 s of which
~6 s in the eight triggers); with these four gone the statement took 3.2 s. The line keeps its
foreign keys to its prise en charge (which itself points at the patient, the opérateur and the
DMN, so none of them can be deleted while it is billed), its run, its basis and the charge it
reverses; the four copied ids are the prise en charge's values when the line was written (a
snapshot of who billed what), written only by the run from rows it has just read. No query
reads lines by patient.

On SQLite the change rebuilds `billing_lines` (batch mode), with the rows pointing at its lines
set aside and put back unchanged, as in `0008_s13_ledger_basis`.

Revision ID: 0012_s23c_ledger_lean
Revises: 0008_s13_ledger_basis (the ledger's branch)
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op

revision = "0012_s23c_ledger_lean"
down_revision = "0008_s13_ledger_basis"
branch_labels = None
depends_on = None

#: (column, referenced table) of each foreign key dropped.
_COPIED = (
    ("patient_id", "patients"),
    ("operateur_id", "operateurs"),
    ("exploitant_id", "exploitants"),
    ("dmn_id", "dmns"),
)


def upgrade() -> None:
    op.drop_index("ix_billing_lines_patient_id", table_name="billing_lines")
    with _rows_set_aside(), op.batch_alter_table("billing_lines") as batch:
        for column, table in _COPIED:
            batch.drop_constraint(f"fk_billing_lines_{column}_{table}", type_="foreignkey")


def downgrade() -> None:
    with _rows_set_aside(), op.batch_alter_table("billing_lines") as batch:
        for column, table in _COPIED:
            batch.create_foreign_key(f"fk_billing_lines_{column}_{table}", table, [column], ["id"])
    op.create_index("ix_billing_lines_patient_id", "billing_lines", ["patient_id"])


@contextmanager
def _rows_set_aside() -> Iterator[None]:
    """On SQLite, keep the status events and the reversal lines out of the way while
    `billing_lines` is rebuilt (the old copy cannot be dropped while rows point at its lines),
    then put them back unchanged, same ids; elsewhere, nothing to do."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    kept = (
        ("billing_line_events", "billing_line_events_kept", "1 = 1"),
        ("billing_lines", "billing_reversals_kept", "reverses_id IS NOT NULL"),
    )
    for table, copy, rows in kept:
        op.execute(f"CREATE TEMPORARY TABLE {copy} AS SELECT * FROM {table} WHERE {rows}")
        op.execute(f"DELETE FROM {table} WHERE {rows}")
    yield
    conn = op.get_bind()
    for table, copy, _rows in reversed(kept):
        columns = ", ".join(
            row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})").all()
        )
        op.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {copy}")
        op.execute(f"DROP TABLE {copy}")
