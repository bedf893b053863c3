"""Read models of the dashboard's worklist (`services.dashboard.ports.Worklist`): a handful of
set-based queries over the counters.

The worklist must stay fast with 10,000 patients whatever the team's size, so it never counts
readings: the days with data of each prise en charge's *current period* are one row of
`worklist_periods` (`counters`: kept at ingest and on withdrawals), whose period is checked
against the one holding `today` (computed in SQL: `starts_on + length × ⌊elapsed / length⌋`);
the few rows of another period (a period rolled over, a new prise en charge) are recounted and
rewritten first. Open alerts are read through the `(status, opened_at)` index of the alerts
table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import lifecycle as sql_lifecycle
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import counters, periods, worklist_page
from telesurveillance.adapters.sql.security import tables as tables_security
from telesurveillance.services.dashboard import ports


def _period_query(conn: sa.Connection, length: int, indication: str | None) -> sa.Select[Any]:
    """Every prise en charge in monitoring on `today` with its counter row (if any), the start of
    its current period and its latest day with data in it (correlated index seeks)."""
    pec, p, w = tables.prises_en_charge.c, tables.patients.c, counters.worklist_periods.c
    pd = counters.patient_days.c
    rx = tables.prescriptions.c
    today = sa.bindparam("today", type_=sa.Date)
    start = periods.period_start(conn, length)
    last = (
        sa.select(sa.func.max(pd.day))
        .where(pd.patient_id == pec.patient_id, pd.day >= start, pd.day <= today)
        .scalar_subquery()
    )
    latest = worklist_page.latest_prescription(pec.id)
    query = (
        sa.select(
            pec.id,
            pec.patient_id,
            p.family,
            p.given,
            p.synthetic,
            pec.indication,
            pec.starts_on,
            pec.prescriber_id,
            w.days,
            last,
            rx.prescribed_on,
            rx.months,
            start.label("current_start"),
            w.period_start,
        )
        .join_from(tables.prises_en_charge, tables.patients, p.id == pec.patient_id)
        .outerjoin(counters.worklist_periods, w.prise_en_charge_id == pec.id)
        .outerjoin(tables.prescriptions, rx.id == latest)
        .where(
            pec.starts_on <= today,
            sa.or_(pec.stopped_on.is_(None), pec.stopped_on > today),
            sa.or_(p.died_on.is_(None), p.died_on >= today),
        )
    )
    if indication is not None:
        query = query.where(pec.indication == indication)
    return query


def followed(
    engine: sa.Engine, today: dt.date, length: int, *, indication: str | None = None
) -> list[ports.Followed]:
    """Every prise en charge in monitoring on `today`, with its current period's data days (its
    counter row; rolled over first where it counts another period) and its latest
    prescription."""
    with engine.connect() as conn:
        rows = list(conn.execute(_period_query(conn, length, indication), {"today": today}))
    stale = []
    for r in rows:
        current = _as_date(r[12])
        if r[13] is None or _as_date(r[13]) != current:
            stale.append((r[0], r[1], current, current + dt.timedelta(days=length - 1)))
    rolled: dict[int, int] = {}
    if stale:
        with database.writing(engine) as conn:
            rolled = counters.roll(conn, stale)
    return [
        ports.Followed(
            r[0],
            r[1],
            r[2],
            r[3],
            bool(r[4]),
            r[5],
            _as_date(r[6]),
            r[7],
            rolled[r[0]] if r[0] in rolled else int(r[8] or 0),
            None if r[9] is None else _as_date(r[9]),
            None if r[10] is None else _as_date(r[10]),
            r[11],
        )
        for r in rows
    ]


def recounted(conn: sa.Connection, today: dt.date, length: int) -> dict[int, int]:
    """Prise en charge → days with data in its current period counted from `reading_days`
    (what the counters must equal; the tests compare them)."""
    pec = tables.prises_en_charge.c
    out = {}
    query = sa.select(pec.id, pec.patient_id, pec.starts_on).where(pec.starts_on <= today)
    for pec_id, patient_id, starts_on in conn.execute(query):
        first = _as_date(starts_on)
        start = first + dt.timedelta(days=(today - first).days // length * length)
        end = start + dt.timedelta(days=length - 1)
        out[int(pec_id)] = counters.recount(conn, patient_id, start, end)
    return out


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def open_alerts(conn: sa.Connection, patient_id: int | None = None) -> list[ports.OpenAlert]:
    """Alerts not closed (open or acknowledged), newest first, with who acknowledged each and
    whom it is assigned to."""
    a = tables_alerts.alerts.c
    tr = tables_alerts.alert_transitions.c
    ac = tables_security.accounts.c
    acknowledger = (
        sa.select(tr.actor)
        .where(tr.alert_id == a.id, tr.to_status == "acknowledged")
        .order_by(tr.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    assignee = sa.func.coalesce(sa.func.nullif(ac.display_name, ""), ac.username)
    query = (
        sa.select(
            a.id, a.patient_id, a.rule_id, a.severity, a.status, a.message, a.opened_at,
            a.indication, a.acknowledged_at, acknowledger, a.assignee_id, assignee,
        )
        .select_from(tables_alerts.alerts)
        .outerjoin(tables_security.accounts, ac.id == a.assignee_id)
        .where(a.status.in_(("open", "acknowledged")))
        .order_by(a.opened_at.desc())
    )  # fmt: skip
    if patient_id is not None:
        query = query.where(a.patient_id == patient_id)
    return [ports.OpenAlert(*r) for r in conn.execute(query)]


def prescribers(conn: sa.Connection) -> list[tuple[int, str]]:
    """The team members who prescribe (for the worklist filter)."""
    pr = tables.practitioners.c
    rows = conn.execute(
        sa.select(pr.id, pr.given, pr.family).where(pr.active.is_(True)).order_by(pr.family)
    )
    return [(r[0], f"{r[1]} {r[2]}".strip()) for r in rows]


class SqlWorklist:
    """`services.dashboard.ports.Worklist` over SQLAlchemy."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def followed(
        self, today: dt.date, length: int, *, indication: str | None = None
    ) -> list[ports.Followed]:
        return followed(self.engine, today, length, indication=indication)

    def roll_over(self, criteria: ports.Criteria) -> None:
        worklist_page.roll_over(self.engine, criteria)

    def overview(
        self, criteria: ports.Criteria, pages: Mapping[str, tuple[int, int]]
    ) -> ports.Overview:
        return worklist_page.overview(self.engine, criteria, pages)

    def followed_alerts(self, criteria: ports.Criteria) -> list[ports.NamedAlert]:
        return worklist_page.alerts(self.engine, criteria)

    def queue_size(self) -> int:
        return worklist_page.queue_size(self.engine)

    def open_alerts(self) -> list[ports.OpenAlert]:
        with self.engine.connect() as conn:
            return open_alerts(conn)

    def prescribers(self) -> list[tuple[int, str]]:
        with self.engine.connect() as conn:
            return prescribers(conn)

    def team(self) -> list[tuple[int, str]]:
        return [(m.id, m.name) for m in sql_lifecycle.team(self.engine)]
