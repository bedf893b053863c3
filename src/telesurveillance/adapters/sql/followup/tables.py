"""A follow-up task marked done: by which account (the authenticated principal) and when.

One row per task (`prise_en_charge_id`, `kind`, `due_on`): the unique key makes a second
marking of the same task fail, so of two users marking it at once exactly one is recorded.
"""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata

followup_task_done = sa.Table(
    "followup_task_done",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("prise_en_charge_id", sa.ForeignKey("prises_en_charge.id"), nullable=False),
    # domain.pathway.tasks.Kind
    sa.Column("kind", sa.String(48), nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    # UTC milliseconds
    sa.Column("done_at", sa.BigInteger, nullable=False),
    sa.Column("done_by", sa.String(200), nullable=False),
    # the account of the principal (no foreign key: `accounts` is another migration branch)
    sa.Column("done_by_account", sa.Integer, nullable=True),
    sa.Column("done_by_role", sa.String(32), nullable=False),
    sa.UniqueConstraint("prise_en_charge_id", "kind", "due_on", name="uq_followup_task_done_task"),
)
