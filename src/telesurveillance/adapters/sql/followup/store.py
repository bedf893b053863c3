"""`services.followup.ports.Store` over SQLAlchemy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.followup import tables as tables_followup
from telesurveillance.services.followup import ports

_d = tables_followup.followup_task_done.c


class SqlFollowup:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def _cares(self, where: sa.ColumnElement[bool]) -> list[ports.Care]:
        pec, pat = tables.prises_en_charge.c, tables.patients.c
        query = (
            sa.select(pec.id, pec.patient_id, pat.family, pat.given, pat.synthetic, pec.indication)
            .join_from(tables.prises_en_charge, tables.patients, pat.id == pec.patient_id)
            .where(where)
            .order_by(pat.family, pat.given, pec.patient_id, pec.starts_on, pec.id)
        )
        with self.engine.connect() as conn:
            return [ports.Care(*row) for row in conn.execute(query)]

    def active_cares(self, day: dt.date) -> list[ports.Care]:
        pec = tables.prises_en_charge.c
        return self._cares(
            sa.and_(pec.starts_on <= day, sa.or_(pec.stopped_on.is_(None), pec.stopped_on > day))
        )

    def cares_of(self, patient_id: int) -> list[ports.Care]:
        return self._cares(tables.prises_en_charge.c.patient_id == patient_id)

    def done(self, pec_ids: Collection[int]) -> list[ports.Done]:
        if not pec_ids:
            return []
        query = sa.select(
            _d.prise_en_charge_id, _d.kind, _d.due_on, _d.done_at, _d.done_by,
            _d.done_by_account, _d.done_by_role,
        ).where(_d.prise_en_charge_id.in_(sorted(set(pec_ids))))  # fmt: skip
        with self.engine.connect() as conn:
            return [ports.Done(*row) for row in conn.execute(query)]

    def mark_done(self, done: ports.Done) -> None:
        row = {
            "prise_en_charge_id": done.pec_id, "kind": done.kind, "due_on": done.due_on,
            "done_at": done.at, "done_by": done.by, "done_by_account": done.account_id,
            "done_by_role": done.role,
        }  # fmt: skip
        try:
            with database.writing(self.engine) as conn:
                conn.execute(sa.insert(tables_followup.followup_task_done).values(**row))
        except sa.exc.IntegrityError:
            found = [
                d
                for d in self.done([done.pec_id])
                if (d.kind, d.due_on) == (done.kind, done.due_on)
            ]
            raise ports.AlreadyDone(found[0] if found else None) from None
