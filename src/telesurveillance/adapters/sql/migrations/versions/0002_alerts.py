"""Alerts: episodes, transitions, pre-filter verdicts, per-patient overrides, notification outbox.

Revision ID: 0002_alerts
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_alerts"
down_revision = "0001_core"
branch_labels = ("alerts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("operateur_id", sa.Integer, sa.ForeignKey("operateurs.id"), nullable=True),
        sa.Column("indication", sa.String(48), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("rule_kind", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(24), nullable=True),
        sa.Column("open_key", sa.String(80), nullable=True),
        sa.Column("first_ts", sa.BigInteger, nullable=False),
        sa.Column("last_ts", sa.BigInteger, nullable=False),
        sa.Column("observed", sa.Float, nullable=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("implicated", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("opened_at", sa.BigInteger, nullable=False),
        sa.Column("last_seen_at", sa.BigInteger, nullable=False),
        sa.Column("acknowledged_at", sa.BigInteger, nullable=True),
        sa.Column("closed_at", sa.BigInteger, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("open_key", name="uq_alerts_open_key"),
        sa.UniqueConstraint("patient_id", "rule_id", "first_ts", name="uq_alerts_episode"),
    )
    op.create_index("ix_alerts_patient_id", "alerts", ["patient_id"])
    op.create_index("ix_alerts_operateur_id", "alerts", ["operateur_id"])
    op.create_index("ix_alerts_status_opened_at", "alerts", ["status", "opened_at"])
    op.create_table(
        "alert_transitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("decision", sa.String(24), nullable=True),
        sa.Column("cooperation", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_alert_transitions_alert_id", "alert_transitions", ["alert_id"])
    op.create_table(
        "alert_prefilters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("exploitant_id", sa.Integer, sa.ForeignKey("exploitants.id"), nullable=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.UniqueConstraint("alert_id", name="uq_alert_prefilters_alert_id"),
    )
    op.create_table(
        "alert_overrides",
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "rule_id", "field", name="pk_alert_overrides"),
    )
    op.create_table(
        "alert_override_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.Float, nullable=True),
        sa.Column("new_value", sa.Float, nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_alert_override_history_patient_id", "alert_override_history", ["patient_id"]
    )
    op.create_table(
        "alert_notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "transition_id", sa.Integer, sa.ForeignKey("alert_transitions.id"), nullable=False
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("sent_at", sa.BigInteger, nullable=True),
        sa.UniqueConstraint("transition_id", "channel", name="uq_alert_notifications_once"),
    )
    op.create_index(
        "ix_alert_notifications_due", "alert_notifications", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_table("alert_notifications")
    op.drop_table("alert_override_history")
    op.drop_table("alert_overrides")
    op.drop_table("alert_prefilters")
    op.drop_table("alert_transitions")
    op.drop_table("alerts")
