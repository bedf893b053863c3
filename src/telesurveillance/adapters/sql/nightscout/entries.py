"""The readings a Nightscout client reads back (`services.nightscout.entries.Store`)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables as core
from telesurveillance.domain.measures import reading

_R = core.readings.c


class SqlEntries:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def newest(
        self,
        patient_id: int,
        kinds: Collection[int],
        *,
        since: int,
        until: int | None,
        limit: int,
        low: float | None = None,
        high: float | None = None,
    ) -> list[reading.Reading]:
        """The patient's readings of `kinds` in `[since, until)`, values within `[low, high]`,
        newest first, at most `limit`."""
        if not kinds or limit <= 0:
            return []
        query = sa.select(_R.patient_id, _R.kind, _R.ts, _R.value).where(
            _R.patient_id == patient_id, _R.kind.in_(sorted(kinds)), _R.ts >= since
        )
        if until is not None:
            query = query.where(_R.ts < until)
        if low is not None:
            query = query.where(_R.value >= low)
        if high is not None:
            query = query.where(_R.value <= high)
        query = query.order_by(_R.ts.desc(), _R.kind).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [reading.Reading(r.patient_id, r.kind, r.ts, r.value) for r in rows]
