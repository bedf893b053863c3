"""Reading alerts for the dashboard API and the FHIR views (worklist order: severity, age):
`services.alerts.views.Views` over SQL."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.services.alerts import views

_a = tables.alerts.c
_t = tables.alert_transitions.c
_p = tables.alert_prefilters.c

_SEVERITY_ORDER = sa.case({"high": 0, "moderate": 1, "low": 2}, value=_a.severity, else_=3)

_COLUMNS = [
    _a.id, _a.patient_id, _a.operateur_id, _a.indication, _a.rule_id, _a.rule_kind, _a.severity,
    _a.status, _a.decision, _a.first_ts, _a.last_ts, _a.observed, _a.count, _a.implicated,
    _a.message, _a.opened_at, _a.last_seen_at, _a.acknowledged_at, _a.closed_at, _a.version,
]  # fmt: skip


def _view(row: sa.Row[Any]) -> views.View:
    values = list(row)
    values[13] = json.loads(values[13])
    return views.View(*values)


class SqlAlertViews:
    """`services.alerts.views.Views` over SQLAlchemy."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def search(
        self,
        *,
        patient_id: int | None = None,
        operateur_id: int | None = None,
        statuses: Sequence[str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[views.View]:
        query = sa.select(*_COLUMNS)
        if patient_id is not None:
            query = query.where(_a.patient_id == patient_id)
        if operateur_id is not None:
            query = query.where(_a.operateur_id == operateur_id)
        if statuses:
            query = query.where(_a.status.in_(statuses))
        query = query.order_by(_SEVERITY_ORDER, _a.opened_at, _a.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [_view(row) for row in conn.execute(query)]

    def get(self, alert_id: int) -> views.View | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(_a.id == alert_id)).first()
            if row is None:
                return None
            view = _view(row)
            view.transitions.extend(
                dict(t._mapping)
                for t in conn.execute(
                    sa.select(
                        _t.from_status, _t.to_status, _t.actor, _t.role, _t.at, _t.decision,
                        _t.cooperation, _t.note,
                    ).where(_t.alert_id == alert_id).order_by(_t.id)
                )
            )  # fmt: skip
            pre = conn.execute(
                sa.select(_p.verdict, _p.actor, _p.exploitant_id, _p.at, _p.note).where(
                    _p.alert_id == alert_id
                )
            ).first()
        if pre is None:
            return view
        return dataclasses.replace(view, prefilter=dict(pre._mapping))
