"""Ledger lines point at a shared basis: `billing_bases` holds each distinct basis text once and
`billing_lines.basis_id` replaces the text each line carried.

Existing lines keep their basis: every distinct text becomes one `billing_bases` row (keyed by
its SHA-256), each line is pointed at it, then the text column goes. Downgrade puts the text back.

On SQLite the column changes rebuild `billing_lines` (batch mode). The rebuild drops the old
table, which foreign keys forbid while rows point at its lines (status events, and reversals at
their charges), so those rows are set aside in temporary tables and put back unchanged (same
ids) afterwards.

Revision ID: 0008_s13_ledger_basis
Revises: 0004_ledger (the ledger's branch, see `adapters.sql.migrate`)
Create Date: 2026-11-29
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0008_s13_ledger_basis"
down_revision = "0004_ledger"
branch_labels = None
depends_on = None

_bases = sa.table(
    "billing_bases",
    sa.column("id", sa.Integer),
    sa.column("digest", sa.String),
    sa.column("basis", sa.Text),
)
_lines = sa.table(
    "billing_lines",
    sa.column("id", sa.Integer),
    sa.column("basis", sa.Text),
    sa.column("basis_id", sa.Integer),
)


def upgrade() -> None:
    op.create_table(
        "billing_bases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.UniqueConstraint("digest", name="uq_billing_bases_digest"),
    )
    op.add_column("billing_lines", sa.Column("basis_id", sa.Integer, nullable=True))
    conn = op.get_bind()
    texts = conn.execute(sa.select(_lines.c.basis).distinct()).scalars().all()
    for text in texts:
        basis_id = conn.execute(
            sa.insert(_bases)
            .values(digest=hashlib.sha256(text.encode()).hexdigest(), basis=text)
            .returning(_bases.c.id)
        ).scalar_one()
        conn.execute(sa.update(_lines).where(_lines.c.basis == text).values(basis_id=basis_id))
    with _rows_set_aside(), op.batch_alter_table("billing_lines") as batch:
        batch.alter_column("basis_id", existing_type=sa.Integer, nullable=False)
        batch.create_foreign_key(
            "fk_billing_lines_basis_id_billing_bases", "billing_bases", ["basis_id"], ["id"]
        )
        batch.drop_column("basis")


def downgrade() -> None:
    op.add_column("billing_lines", sa.Column("basis", sa.Text, nullable=True))
    conn = op.get_bind()
    for basis_id, text in conn.execute(sa.select(_bases.c.id, _bases.c.basis)).all():
        conn.execute(sa.update(_lines).where(_lines.c.basis_id == basis_id).values(basis=text))
    with _rows_set_aside(), op.batch_alter_table("billing_lines") as batch:
        batch.alter_column("basis", existing_type=sa.Text, nullable=False)
        batch.drop_constraint("fk_billing_lines_basis_id_billing_bases", type_="foreignkey")
        batch.drop_column("basis_id")
    op.drop_table("billing_bases")


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
