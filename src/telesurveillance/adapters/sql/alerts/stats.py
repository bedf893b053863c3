"""The rows the alert-burden figures are computed from (`domain.alerts.burden`)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import tables
from telesurveillance.domain.alerts import burden, evaluate


def _midnight_ms(day: dt.date) -> int:
    return evaluate.paris_midnight_ms(day)


class SqlBurden:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def facts(
        self, start: dt.date, end: dt.date, operateur_id: int | None = None
    ) -> list[burden.AlertFact]:
        a = tables_alerts.alerts.c
        query = sa.select(
            a.operateur_id, a.indication, a.rule_id, a.opened_at, a.acknowledged_at,
            a.closed_at, a.decision,
        ).where(a.opened_at >= _midnight_ms(start), a.opened_at < _midnight_ms(end))  # fmt: skip
        if operateur_id is not None:
            query = query.where(a.operateur_id == operateur_id)
        with self.engine.connect() as conn:
            return [burden.AlertFact(*row) for row in conn.execute(query)]

    def monitorings(
        self, start: dt.date, end: dt.date, operateur_id: int | None = None
    ) -> list[burden.Monitoring]:
        p = tables.prises_en_charge.c
        query = sa.select(p.operateur_id, p.indication, p.starts_on, p.stopped_on).where(
            p.starts_on < end, sa.or_(p.stopped_on.is_(None), p.stopped_on > start)
        )
        if operateur_id is not None:
            query = query.where(p.operateur_id == operateur_id)
        with self.engine.connect() as conn:
            return [burden.Monitoring(*row) for row in conn.execute(query)]
