"""Alerts: episodes, their transitions, per-patient overrides, pre-filter verdicts, outbox.

Instants are UTC milliseconds (`BigInteger`), like readings: no time-zone round trip through
SQLite, and durations are subtractions. An alert is one episode of one rule for one patient:
`(patient_id, rule_id, first_ts)` is unique, where `first_ts` is the triggering reading's instant
(for no-data rules: the last reading before the silence), so replaying readings or re-running a
sweep finds the same row instead of opening a second one. `open_key` is `"{patient}:{rule}"`
while the alert is not closed and NULL after: its unique constraint keeps at most one open
alert per patient and rule on both backends (NULLs are distinct), even under concurrent ingest.
"""

from __future__ import annotations

import sqlalchemy as sa

from telesurveillance.adapters.sql.core.tables import metadata

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("operateur_id", sa.ForeignKey("operateurs.id"), nullable=True, index=True),
    sa.Column("indication", sa.String(48), nullable=False),
    sa.Column("rule_id", sa.String(64), nullable=False),
    # domain.alerts.rules.RuleKind and Severity; domain.alerts.lifecycle.Status and Decision
    sa.Column("rule_kind", sa.String(16), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decision", sa.String(24), nullable=True),
    sa.Column("open_key", sa.String(80), nullable=True),
    sa.Column("first_ts", sa.BigInteger, nullable=False),
    sa.Column("last_ts", sa.BigInteger, nullable=False),
    sa.Column("observed", sa.Float, nullable=True),
    # crossings while open (each triggering reading once)
    sa.Column("count", sa.Integer, nullable=False),
    # JSON [[kind, ts], ...]: the readings behind the alert (DetectedIssue.implicated)
    sa.Column("implicated", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("opened_at", sa.BigInteger, nullable=False),
    sa.Column("last_seen_at", sa.BigInteger, nullable=False),
    sa.Column("acknowledged_at", sa.BigInteger, nullable=True),
    sa.Column("closed_at", sa.BigInteger, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    # the care-team account (accounts.id) the alert is assigned to; NULL: nobody. No foreign
    # key: the accounts belong to the security area and are never deleted (deactivated only)
    sa.Column("assignee_id", sa.Integer, nullable=True),
    sa.UniqueConstraint("open_key", name="uq_alerts_open_key"),
    sa.UniqueConstraint("patient_id", "rule_id", "first_ts", name="uq_alerts_episode"),
    sa.Index("ix_alerts_status_opened_at", "status", "opened_at"),
)

alert_transitions = sa.Table(
    "alert_transitions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.ForeignKey("alerts.id"), nullable=False, index=True),
    # NULL on the creation row
    sa.Column("from_status", sa.String(16), nullable=True),
    sa.Column("to_status", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("decision", sa.String(24), nullable=True),
    sa.Column("cooperation", sa.Boolean, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
)

# Every assignment of an alert (who assigned it to whom, when); NULL assignee: unassigned.
alert_assignments = sa.Table(
    "alert_assignments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.ForeignKey("alerts.id"), nullable=False, index=True),
    sa.Column("assignee_id", sa.Integer, nullable=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
)

alert_prefilters = sa.Table(
    "alert_prefilters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.ForeignKey("alerts.id"), nullable=False),
    # domain.alerts.lifecycle.Verdict
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("exploitant_id", sa.ForeignKey("exploitants.id"), nullable=True),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.UniqueConstraint("alert_id", name="uq_alert_prefilters_alert_id"),
)

alert_overrides = sa.Table(
    "alert_overrides",
    metadata,
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False),
    sa.Column("rule_id", sa.String(64), nullable=False),
    # a field of domain.alerts.rules.OVERRIDABLE
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("patient_id", "rule_id", "field", name="pk_alert_overrides"),
)

alert_override_history = sa.Table(
    "alert_override_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.ForeignKey("patients.id"), nullable=False, index=True),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    # NULL old: no override before (the rule's default); NULL new: back to the default
    sa.Column("old_value", sa.Float, nullable=True),
    sa.Column("new_value", sa.Float, nullable=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

alert_notifications = sa.Table(
    "alert_notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("transition_id", sa.ForeignKey("alert_transitions.id"), nullable=False),
    # adapters.notify channel name: smtp, webhook
    sa.Column("channel", sa.String(16), nullable=False),
    # services.alerts.evaluation.outbox.Delivery: pending, sending, sent, failed
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.BigInteger, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("sent_at", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("transition_id", "channel", name="uq_alert_notifications_once"),
    sa.Index("ix_alert_notifications_due", "status", "next_attempt_at"),
)

# The evaluation outbox: readings stored but not yet judged by the alert rules. One row per
# (patient, kind) holding the span of unjudged instants, upserted in the SAME transaction as the
# readings (`readings.store`), removed by compare-and-set on `token` in the transaction that
# records the alerts of that span (services.alerts.evaluation.pending). A crash, or a listener that
# fails,
# between the two leaves the row for the catch-up: no stored reading escapes its evaluation.
alert_pending = sa.Table(
    "alert_pending",
    metadata,
    sa.Column("patient_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    # earliest and latest instant (UTC ms) of the readings not yet judged
    sa.Column("since_ts", sa.BigInteger, nullable=False),
    sa.Column("until_ts", sa.BigInteger, nullable=False),
    # random per write: a newer write changes it, so a removal that read an older one misses
    sa.Column("token", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("patient_id", "kind", name="pk_alert_pending"),
    sqlite_with_rowid=False,
)
