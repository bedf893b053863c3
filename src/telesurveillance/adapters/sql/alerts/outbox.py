"""The notification outbox in SQL (`services.alerts.evaluation.outbox.Outbox`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.services.alerts import outbox

_n = tables.alert_notifications.c
_t = tables.alert_transitions.c
_a = tables.alerts.c
Delivery = outbox.Delivery


class SqlOutbox:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def enqueue(self, channels: Sequence[str], since_ms: int) -> int:
        queued = 0
        with database.writing(self.engine) as conn:
            table = tables.alert_notifications
            for channel in channels:
                missing = (
                    sa.select(
                        _t.id,
                        sa.literal(channel, sa.String(16)),
                        sa.literal(Delivery.PENDING.value, sa.String(16)),
                        sa.literal(0, sa.Integer),
                        _t.at,
                    )
                    .where(_t.at >= since_ms)
                    .where(~sa.exists().where(_n.transition_id == _t.id, _n.channel == channel))
                )
                insert = (
                    postgresql.insert(table)
                    if conn.dialect.name == "postgresql"
                    else sqlite.insert(table)
                )
                columns = ["transition_id", "channel", "status", "attempts", "next_attempt_at"]
                queued += len(
                    conn.execute(
                        insert.from_select(columns, missing)
                        .on_conflict_do_nothing()
                        .returning(_n.id)
                    ).all()
                )
        return queued

    def claim(self, now_ms: int, lease_ms: int, limit: int) -> list[outbox.Message]:
        due = sa.and_(
            _n.status.in_([Delivery.PENDING.value, Delivery.SENDING.value]),
            _n.next_attempt_at <= now_ms,
        )
        claimed: list[int] = []
        with database.writing(self.engine) as conn:
            candidates = conn.execute(
                sa.select(_n.id, _n.status, _n.next_attempt_at)
                .where(due)
                .order_by(_n.next_attempt_at, _n.id)
                .limit(limit)
            ).all()
            for delivery_id, status, next_at in candidates:
                done = conn.execute(
                    sa.update(tables.alert_notifications)
                    .where(_n.id == delivery_id, _n.status == status, _n.next_attempt_at == next_at)
                    .values(
                        status=Delivery.SENDING.value,
                        attempts=_n.attempts + 1,
                        next_attempt_at=now_ms + lease_ms,
                    )
                ).rowcount
                if done == 1:
                    claimed.append(delivery_id)
            if not claimed:
                return []
            rows = conn.execute(
                sa.select(
                    _n.id, _n.channel, _n.attempts, _t.id, _a.id, _a.patient_id, _a.rule_id,
                    _a.indication, _a.severity, _a.message, _t.from_status, _t.to_status,
                    _t.actor, _t.role, _t.at, _t.decision,
                )
                .join(tables.alert_transitions, _t.id == _n.transition_id)
                .join(tables.alerts, _a.id == _t.alert_id)
                .where(_n.id.in_(claimed))
                .order_by(_n.id)
            )  # fmt: skip
            return [outbox.Message(*_values(row)) for row in rows]

    def sent(self, delivery_id: int, now_ms: int) -> None:
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(tables.alert_notifications)
                .where(_n.id == delivery_id, _n.status == Delivery.SENDING.value)
                .values(status=Delivery.SENT.value, sent_at=now_ms, last_error=None)
            )

    def retry(self, delivery_id: int, error: str, next_at: int | None) -> None:
        values: dict[str, object] = {"last_error": error}
        if next_at is None:
            values["status"] = Delivery.FAILED.value
        else:
            values.update(status=Delivery.PENDING.value, next_attempt_at=next_at)
        with database.writing(self.engine) as conn:
            conn.execute(
                sa.update(tables.alert_notifications)
                .where(_n.id == delivery_id, _n.status == Delivery.SENDING.value)
                .values(**values)
            )

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_n.status, sa.func.count()).group_by(_n.status))
            return {status: int(n) for status, n in rows}


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row)
