"""Alert state changes as compare-and-set, with their transition rows; pre-filter; overrides.

`transition` runs `UPDATE alerts SET status = :to … WHERE id = :id AND status = :expected` and
checks the rowcount in the same write transaction that inserts the transition row. On
PostgreSQL (READ COMMITTED) the second of two concurrent updates waits for the first to commit,
re-reads the row, no longer matches and updates nothing; on SQLite the write transactions are
serialised (BEGIN IMMEDIATE). Either way the loser sees rowcount 0 and gets a `Conflict`.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import store
from telesurveillance.adapters.sql.security import tables as tables_security
from telesurveillance.domain.alerts import lifecycle
from telesurveillance.domain.pathway import delegation
from telesurveillance.services.alerts import lifecycle as service

_a = tables_alerts.alerts.c


class SqlLifecycle:
    """`services.alerts.evaluation.lifecycle.Store` over SQLAlchemy."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def status(self, alert_id: int) -> lifecycle.Status | None:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(_a.status).where(_a.id == alert_id)).scalar()
        return None if found is None else lifecycle.Status(found)

    def transition(
        self, change: service.Change, expected: lifecycle.Status, to: lifecycle.Status
    ) -> None:
        values: dict[str, object] = {"status": to.value, "version": _a.version + 1}
        if to is lifecycle.Status.ACKNOWLEDGED:
            values["acknowledged_at"] = change.at
        if to is lifecycle.Status.CLOSED:
            values.update(closed_at=change.at, open_key=None, decision=change.decision)
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(tables_alerts.alerts)
                .where(_a.id == change.alert_id, _a.status == expected.value)
                .values(**values)
            ).rowcount
            if done != 1:
                found = conn.execute(sa.select(_a.status).where(_a.id == change.alert_id))
                raise lifecycle.Conflict(change.alert_id, expected, str(found.scalar()))
            conn.execute(
                sa.insert(tables_alerts.alert_transitions).values(
                    alert_id=change.alert_id,
                    from_status=expected.value,
                    to_status=to.value,
                    actor=change.actor,
                    role=change.role.value,
                    at=change.at,
                    decision=None if change.decision is None else change.decision.value,
                    cooperation=change.cooperation,
                    note=change.note,
                )
            )

    def assign(self, change: service.Change, expected: int | None, assignee: int | None) -> None:
        was = _a.assignee_id.is_(None) if expected is None else _a.assignee_id == expected
        with database.writing(self.engine) as conn:
            done = conn.execute(
                sa.update(tables_alerts.alerts)
                .where(_a.id == change.alert_id, _a.status != lifecycle.Status.CLOSED.value, was)
                .values(assignee_id=assignee, version=_a.version + 1)
            ).rowcount
            if done != 1:
                found = conn.execute(
                    sa.select(_a.status, _a.assignee_id).where(_a.id == change.alert_id)
                ).first()
                state = "missing" if found is None else f"{found[0]}, assigned to {found[1]}"
                raise lifecycle.Conflict(change.alert_id, lifecycle.closable_from(), state)
            conn.execute(
                sa.insert(tables_alerts.alert_assignments).values(
                    alert_id=change.alert_id,
                    assignee_id=assignee,
                    actor=change.actor,
                    role=change.role.value,
                    at=change.at,
                )
            )

    def team(self) -> list[service.Member]:
        return team(self.engine)

    def protocols(self, alert_id: int) -> list[delegation.CooperationProtocol]:
        pt = tables.patients.c
        query = (
            sa.select(sa.func.coalesce(_a.operateur_id, pt.operateur_id))
            .select_from(tables_alerts.alerts)
            .join(tables.patients, pt.id == _a.patient_id)
            .where(_a.id == alert_id)
        )
        with self.engine.connect() as conn:
            operateur_id = conn.execute(query).scalar()
        if operateur_id is None:
            return []
        return store.SqlPathway(self.engine).protocols(int(operateur_id))

    def prefilter_delegated(self, alert_id: int) -> tuple[bool, int | None]:
        p = tables.prises_en_charge.c
        d = tables.dmns.c
        c = tables.conventions.c
        query = (
            sa.select(c.prefilter_delegated, d.exploitant_id)
            .select_from(tables_alerts.alerts)
            .join(
                tables.prises_en_charge,
                sa.and_(
                    p.patient_id == _a.patient_id,
                    p.indication == _a.indication,
                    p.operateur_id == _a.operateur_id,
                ),
            )
            .join(tables.dmns, d.id == p.dmn_id)
            .join(
                tables.conventions,
                sa.and_(c.operateur_id == p.operateur_id, c.exploitant_id == d.exploitant_id),
            )
            .where(_a.id == alert_id)
            .order_by(c.prefilter_delegated.desc())
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return False, None
        return bool(row[0]), int(row[1])

    def record_prefilter(
        self, change: service.Change, verdict: lifecycle.Verdict, exploitant_id: int | None
    ) -> None:
        try:
            with database.writing(self.engine) as conn:
                conn.execute(
                    sa.insert(tables_alerts.alert_prefilters).values(
                        alert_id=change.alert_id,
                        verdict=verdict.value,
                        actor=change.actor,
                        exploitant_id=exploitant_id,
                        at=change.at,
                        note=change.note,
                    )
                )
        except sa.exc.IntegrityError:
            raise lifecycle.Conflict(
                change.alert_id, lifecycle.Status.OPEN, "already pre-filtered"
            ) from None

    def set_override(
        self, entry: service.OverrideEntry, expected: service.Expected | None
    ) -> service.OverrideEntry:
        # Compare-and-set on the value found: an UPDATE or DELETE matching that value (rowcount
        # checked), or an INSERT that the primary key refuses when another writer inserted
        # first; the history row is written in the same transaction.
        o = tables_alerts.alert_overrides.c
        key = sa.and_(
            o.patient_id == entry.patient_id, o.rule_id == entry.rule_id, o.field == entry.field
        )
        try:
            with database.writing(self.engine) as conn:
                old = conn.execute(sa.select(o.value).where(key)).scalar()
                if expected is not None and old != expected.value:
                    raise service.OverrideConflict(entry.rule_id, entry.field, expected.value, old)
                done = dataclasses.replace(entry, old_value=old)
                if not self._swap(conn, done):
                    raise service.OverrideConflict(entry.rule_id, entry.field, old, None)
                conn.execute(
                    sa.insert(tables_alerts.alert_override_history).values(
                        **dataclasses.asdict(done)
                    )
                )
        except sa.exc.IntegrityError:
            raise service.OverrideConflict(
                entry.rule_id, entry.field, None if expected is None else expected.value, None
            ) from None
        return done

    @staticmethod
    def _swap(conn: sa.Connection, entry: service.OverrideEntry) -> bool:
        """Replace `entry.old_value` by `entry.new_value`; False when the row changed."""
        table = tables_alerts.alert_overrides
        o = table.c
        key = sa.and_(
            o.patient_id == entry.patient_id, o.rule_id == entry.rule_id, o.field == entry.field
        )
        if entry.old_value is None:
            if entry.new_value is not None:
                conn.execute(
                    sa.insert(table).values(
                        patient_id=entry.patient_id,
                        rule_id=entry.rule_id,
                        field=entry.field,
                        value=entry.new_value,
                        actor=entry.actor,
                        at=entry.at,
                        reason=entry.reason,
                    )
                )
            return True
        same = sa.and_(key, o.value == entry.old_value)
        if entry.new_value is None:
            return conn.execute(sa.delete(table).where(same)).rowcount == 1
        changed = conn.execute(
            sa.update(table)
            .where(same)
            .values(value=entry.new_value, actor=entry.actor, at=entry.at, reason=entry.reason)
        )
        return changed.rowcount == 1

    def override_history(self, patient_id: int) -> list[service.OverrideEntry]:
        h = tables_alerts.alert_override_history.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    h.patient_id, h.rule_id, h.field, h.old_value, h.new_value, h.actor, h.at,
                    h.reason,
                ).where(h.patient_id == patient_id).order_by(h.id)
            )  # fmt: skip
            return [service.OverrideEntry(*row) for row in rows]


def team(engine: sa.Engine) -> list[service.Member]:
    """The active accounts of the care team (médecin, soignant), by name."""
    ac = tables_security.accounts.c
    name = sa.func.coalesce(sa.func.nullif(ac.display_name, ""), ac.username)
    care_team = sorted(r.value for r in lifecycle.CARE_TEAM)
    query = (
        sa.select(ac.id, name, ac.role)
        .where(ac.active.is_(True), ac.role.in_(care_team))
        .order_by(name, ac.id)
    )
    with engine.connect() as conn:
        return [service.Member(int(r[0]), str(r[1]), str(r[2])) for r in conn.execute(query)]
