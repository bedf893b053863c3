"""One page of the worklist, in a bounded amount of work whatever the team's size (issue 18,
point 3): the database filters, counts and sorts; Python receives the totals and the rows of
the page shown, never one row per prise en charge.

Every query starts from the same set (`_followed`): the prises en charge in monitoring on
`today` (with the page's filters), their current-period counter (`worklist_periods`, rolled
over first by `roll_over`) and whether today already has data (one `patient_days` seek). On it:

- at risk: the observance outlook of `services.billing.forecast.outlook` written in integers
  (`days × (elapsed + left) < needed × elapsed` is `days + left × days / elapsed < needed`),
  ordered as the page shows it (out of reach first, then fewest days left, then most missing);
- renewals due: the latest prescription's end (`add_months` of the service, month-end clamped on
  both backends), ordered by that end;
- the alerts of the followed patients, and the queue's size through the alerts' status index.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import counters
from telesurveillance.services.dashboard import ports

OPEN = ("open", "acknowledged")


def _today() -> sa.BindParameter[dt.date]:
    return sa.bindparam("today", type_=sa.Date)


def period_start(conn: sa.Connection, length: int) -> sa.ColumnElement[dt.date]:
    """SQL for the first day of the period holding the bound parameter `today`."""
    pec = tables.prises_en_charge.c
    today = _today()
    if conn.dialect.name == "postgresql":
        elapsed = sa.cast(today - pec.starts_on, sa.Integer)
        return sa.cast(pec.starts_on + (elapsed // length) * length, sa.Date)
    elapsed_days = sa.cast(sa.func.julianday(today) - sa.func.julianday(pec.starts_on), sa.Integer)
    shift = sa.literal("+") + sa.cast((elapsed_days // length) * length, sa.String) + " days"
    return sa.func.date(pec.starts_on, shift)


def _elapsed(conn: sa.Connection, length: int) -> sa.ColumnElement[int]:
    """Day of the current period, from 1 (`today` is on or after the start)."""
    pec = tables.prises_en_charge.c
    if conn.dialect.name == "postgresql":
        since = sa.cast(_today() - pec.starts_on, sa.Integer)
    else:
        since = sa.cast(sa.func.julianday(_today()) - sa.func.julianday(pec.starts_on), sa.Integer)
    return since % length + 1


def ends_on(
    conn: sa.Connection, base: sa.ColumnElement[Any], months: sa.ColumnElement[Any]
) -> sa.ColumnElement[Any]:
    """SQL for `services.dashboard.worklist.add_months(base, months)`: the same day `months`
    later, the month's last day when it has no such day (31 January + 1 month = 28 February).
    PostgreSQL's interval arithmetic clamps so; SQLite's `date(…, '+1 month')` would overflow
    into the next month, so the day is added to the month's first day and capped."""
    if conn.dialect.name == "postgresql":
        return sa.cast(base + months * sa.text("interval '1 month'"), sa.Date)
    first = sa.func.date(
        base, "start of month", sa.literal("+") + sa.cast(months, sa.String) + " months"
    )
    last = sa.func.date(first, "+1 month", "-1 day")
    day = sa.cast(sa.func.strftime("%d", base), sa.Integer) - 1
    same = sa.func.date(first, sa.literal("+") + sa.cast(day, sa.String) + " days")
    return sa.func.min(same, last)


def _greatest(conn: sa.Connection, a: Any, b: Any) -> sa.ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return sa.func.greatest(a, b)
    return sa.func.max(a, b)  # SQLite: max() of two arguments is the scalar one


def _followed(conn: sa.Connection, c: ports.Criteria) -> sa.Subquery:
    """The prises en charge in monitoring for the filters, with what the sections sort on."""
    pec, p, w = tables.prises_en_charge.c, tables.patients.c, counters.worklist_periods.c
    pd, rx = counters.patient_days.c, tables.prescriptions.c
    inner = tables.prescriptions.alias("latest_rx").c
    latest = (
        sa.select(inner.id)
        .where(inner.prise_en_charge_id == pec.id)
        .order_by(inner.prescribed_on.desc(), inner.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    has_today = sa.case(
        (sa.exists().where(pd.patient_id == pec.patient_id, pd.day == _today()), 1), else_=0
    )
    elapsed = _elapsed(conn, c.length)
    days = sa.func.coalesce(w.days, 0)
    left = c.length - elapsed + 1 - has_today
    needed: sa.ColumnElement[Any] = sa.null()
    if c.needed:
        needed = sa.case(*((pec.indication == k, v) for k, v in sorted(c.needed.items())))
    ends = ends_on(conn, _greatest(conn, rx.prescribed_on, pec.starts_on), rx.months)
    query = (
        sa.select(
            pec.id.label("pec_id"),
            pec.patient_id,
            p.family,
            p.given,
            p.synthetic,
            pec.indication,
            pec.starts_on,
            pec.prescriber_id,
            days.label("days"),
            has_today.label("has_today"),
            rx.prescribed_on,
            rx.months,
            elapsed.label("elapsed"),
            left.label("left_days"),
            needed.label("needed"),
            ends.label("ends_on"),
        )
        .join_from(tables.prises_en_charge, tables.patients, p.id == pec.patient_id)
        .outerjoin(counters.worklist_periods, w.prise_en_charge_id == pec.id)
        .outerjoin(tables.prescriptions, rx.id == latest)
        .where(*_in_monitoring(c))
    )
    return query.subquery("followed")


def _in_monitoring(c: ports.Criteria) -> list[sa.ColumnElement[bool]]:
    pec, p = tables.prises_en_charge.c, tables.patients.c
    today = _today()
    found = [
        pec.starts_on <= today,
        sa.or_(pec.stopped_on.is_(None), pec.stopped_on > today),
        sa.or_(p.died_on.is_(None), p.died_on >= today),
    ]
    if c.indication is not None:
        found.append(pec.indication == c.indication)
    if c.member is not None:
        found.append(pec.prescriber_id == c.member)
    return found


def _at_risk(f: sa.Subquery) -> sa.ColumnElement[bool]:
    """`forecast.outlook` is at risk or out of reach (not reached, not on track)."""
    days, needed, left, elapsed = f.c.days, f.c.needed, f.c.left_days, f.c.elapsed
    return sa.and_(
        needed.is_not(None),
        days < needed,
        sa.or_(days + left < needed, days * (elapsed + left) < needed * elapsed),
    )


def _renewal(f: sa.Subquery) -> sa.ColumnElement[bool]:
    return sa.and_(f.c.months.is_not(None), f.c.ends_on <= sa.bindparam("notice", type_=sa.Date))


def _params(c: ports.Criteria) -> dict[str, Any]:
    return {"today": c.today, "notice": c.notice}


def roll_over(engine: sa.Engine, c: ports.Criteria) -> None:
    """Roll over the counters of the followed prises en charge that count another period than
    today's (or have none yet); only those rows come back from the database."""
    pec, p, w = tables.prises_en_charge.c, tables.patients.c, counters.worklist_periods.c
    with engine.connect() as conn:
        start = period_start(conn, c.length)
        query = (
            sa.select(pec.id, pec.patient_id, start)
            .join_from(tables.prises_en_charge, tables.patients, p.id == pec.patient_id)
            .outerjoin(counters.worklist_periods, w.prise_en_charge_id == pec.id)
            .where(*_in_monitoring(c))
            .where(sa.or_(w.period_start.is_(None), w.period_start != start))
        )
        rows = list(conn.execute(query, {"today": c.today}))
    if not rows:
        return
    span = dt.timedelta(days=c.length - 1)
    stale = [(r[0], r[1], _as_date(r[2]), _as_date(r[2]) + span) for r in rows]
    with database.writing(engine) as conn:
        counters.roll(conn, stale)


def totals(engine: sa.Engine, c: ports.Criteria) -> ports.Totals:
    """How many prises en charge are followed, at risk and due for renewal (one statement)."""
    with engine.connect() as conn:
        f = _followed(conn, c)
        query = sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((_at_risk(f), 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((_renewal(f), 1), else_=0)), 0),
        ).select_from(f)
        row = conn.execute(query, _params(c)).one()
    return ports.Totals(int(row[0]), int(row[1]), int(row[2]))


def _rows(engine: sa.Engine, c: ports.Criteria, section: str, offset: int, limit: int) -> Any:
    with engine.connect() as conn:
        f = _followed(conn, c)
        query = sa.select(f)
        if section == "at_risk":
            unreachable = sa.case((f.c.days + f.c.left_days < f.c.needed, 0), else_=1)
            order = [unreachable, f.c.left_days, f.c.days - f.c.needed, f.c.pec_id]
            query = query.where(_at_risk(f)).order_by(*order)
        else:
            query = query.where(_renewal(f)).order_by(f.c.ends_on, f.c.pec_id)
        return list(conn.execute(query.offset(offset).limit(limit), _params(c)))


def page_of(
    engine: sa.Engine, c: ports.Criteria, section: str, offset: int, limit: int
) -> list[ports.Followed]:
    """`limit` rows of a section ("at_risk" or "renewals") from `offset`, in the page's order."""
    return [
        ports.Followed(
            r.pec_id, r.patient_id, r.family, r.given, bool(r.synthetic), r.indication,
            _as_date(r.starts_on), r.prescriber_id, int(r.days),
            c.today if r.has_today else None,
            None if r.prescribed_on is None else _as_date(r.prescribed_on), r.months,
        )
        for r in _rows(engine, c, section, offset, limit)
    ]  # fmt: skip


def alerts(engine: sa.Engine, c: ports.Criteria) -> list[ports.NamedAlert]:
    """The alerts not closed of the followed patients, with the patients' names."""
    a, p, pec = tables_alerts.alerts.c, tables.patients.c, tables.prises_en_charge.c
    followed = (
        sa.select(pec.id)
        .join_from(tables.prises_en_charge, tables.patients, p.id == pec.patient_id)
        .where(pec.patient_id == a.patient_id, *_in_monitoring(c))
        .exists()
    )
    query = (
        sa.select(
            a.id, a.patient_id, a.rule_id, a.severity, a.status, a.message, a.opened_at,
            p.family, p.given, p.synthetic,
        )
        .join_from(tables_alerts.alerts, tables.patients, p.id == a.patient_id)
        .where(a.status.in_(OPEN), followed)
    )  # fmt: skip
    with engine.connect() as conn:
        rows = conn.execute(query, {"today": c.today})
        return [
            ports.NamedAlert(
                ports.OpenAlert(r[0], r[1], r[2], r[3], r[4], r[5], r[6]), r[7], r[8], bool(r[9])
            )
            for r in rows
        ]


def queue_size(engine: sa.Engine) -> int:
    """Every alert not closed, whoever the patient (the triage queue's number)."""
    a = tables_alerts.alerts.c
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).where(a.status.in_(OPEN))
        return int(conn.execute(query).scalar_one())


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
