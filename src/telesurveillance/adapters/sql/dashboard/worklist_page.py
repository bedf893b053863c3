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
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import tables as tables_alerts
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import counters, periods
from telesurveillance.services.dashboard import ports

OPEN = ("open", "acknowledged")


def latest_prescription(prise_en_charge_id: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    """The id of the prise en charge's latest prescription (by date, then id): one seek of the
    index `0011_s22d_worklist_indexes` makes for it."""
    inner = tables.prescriptions.alias("latest_rx").c
    return (
        sa.select(inner.id)
        .where(inner.prise_en_charge_id == prise_en_charge_id)
        .order_by(inner.prescribed_on.desc(), inner.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _followed(conn: sa.Connection, c: ports.Criteria) -> sa.CTE:
    """The prises en charge in monitoring for the filters, with what the sections sort on,
    each computed once per row (a materialised common table expression: the sections and the
    totals reuse it without evaluating its subqueries again)."""
    pec, p, w = tables.prises_en_charge.c, tables.patients.c, counters.worklist_periods.c
    pd, rx = counters.patient_days.c, tables.prescriptions.c
    latest = latest_prescription(pec.id)
    has_today = sa.case(
        (sa.exists().where(pd.patient_id == pec.patient_id, pd.day == periods.today()), 1), else_=0
    )
    needed: sa.ColumnElement[Any] = sa.null()
    if c.needed:
        needed = sa.case(
            *(
                (pec.indication == k, sa.bindparam(f"needed_{i}", v, type_=sa.Integer))
                for i, (k, v) in enumerate(sorted(c.needed.items()))
            )
        )
    base = periods.greatest(conn, rx.prescribed_on, pec.starts_on)
    query = (
        sa.select(
            pec.id.label("pec_id"),
            pec.patient_id,
            pec.indication,
            pec.starts_on,
            pec.prescriber_id,
            sa.func.coalesce(w.days, 0).label("days"),
            has_today.label("has_today"),
            rx.prescribed_on,
            rx.months,
            periods.elapsed(conn, c.length).label("elapsed"),
            needed.label("needed"),
            base.label("base"),
            periods.stale(conn, c.length).label("stale"),
        )
        .join_from(tables.prises_en_charge, tables.patients, p.id == pec.patient_id)
        .outerjoin(counters.worklist_periods, w.prise_en_charge_id == pec.id)
        .outerjoin(tables.prescriptions, rx.id == latest)
        .where(*_in_monitoring(c))
    )
    return query.cte("followed").prefix_with("MATERIALIZED")


def _in_monitoring(c: ports.Criteria) -> list[sa.ColumnElement[bool]]:
    pec, p = tables.prises_en_charge.c, tables.patients.c
    today = periods.today()
    found = [
        pec.starts_on <= today,
        sa.or_(pec.stopped_on.is_(None), pec.stopped_on > today),
        sa.or_(p.died_on.is_(None), p.died_on >= today),
    ]
    if c.indication is not None:
        found.append(pec.indication == sa.bindparam("indication", c.indication, type_=sa.String))
    if c.member is not None:
        found.append(pec.prescriber_id == sa.bindparam("member", c.member, type_=sa.Integer))
    return found


def _left(f: sa.CTE, c: ports.Criteria) -> sa.ColumnElement[int]:
    """Days left in the period, today included unless it already has data (as `forecast`)."""
    return c.length - f.c.elapsed + 1 - f.c.has_today


def _at_risk(f: sa.CTE, c: ports.Criteria) -> sa.ColumnElement[bool]:
    """`forecast.outlook` is at risk or out of reach (not reached, not on track)."""
    days, needed, elapsed, left = f.c.days, f.c.needed, f.c.elapsed, _left(f, c)
    return sa.and_(
        needed.is_not(None),
        days < needed,
        sa.or_(days + left < needed, days * (elapsed + left) < needed * elapsed),
    )


def _renewal(conn: sa.Connection, f: sa.CTE, c: ports.Criteria) -> sa.ColumnElement[bool]:
    """The latest prescription ends on or before the notice day: its start (or the prise en
    charge's, if later) is on or before the latest start that ends by then for its length
    (`Criteria.renewal_bases`, a comparison of dates); other lengths compute the end."""
    notice = sa.bindparam("notice", type_=sa.Date)
    known = sorted(c.renewal_bases)
    if not known:
        return sa.and_(
            f.c.months.is_not(None), periods.ends_on(conn, f.c.base, f.c.months) <= notice
        )
    latest = sa.case(
        *(
            (f.c.months == m, sa.bindparam(f"base_{m}", c.renewal_bases[m], type_=sa.Date))
            for m in known
        )
    )
    return sa.or_(
        f.c.base <= latest,
        sa.and_(f.c.months.not_in(known), periods.ends_on(conn, f.c.base, f.c.months) <= notice),
    )


def _params(c: ports.Criteria) -> dict[str, Any]:
    """The values of the page's bound parameters: the statements are built once per shape
    (`_statement`) and take the day, the thresholds and the filters as parameters."""
    values: dict[str, Any] = {"today": c.today, "notice": c.notice}
    values.update({f"needed_{i}": v for i, (_k, v) in enumerate(sorted(c.needed.items()))})
    values.update({f"base_{m}": day for m, day in c.renewal_bases.items()})
    if c.indication is not None:
        values["indication"] = c.indication
    if c.member is not None:
        values["member"] = c.member
    return values


def roll_over(engine: sa.Engine, c: ports.Criteria) -> None:
    """Roll over the counters of the followed prises en charge that count another period than
    today's (or have none yet): one set-based statement, whatever their number (on PostgreSQL
    preceded by one statement taking the patients' counter locks)."""
    pec, p, w = tables.prises_en_charge.c, tables.patients.c, counters.worklist_periods.c
    with database.writing(engine) as conn:
        start = periods.period_start(conn, c.length)
        stale = (
            sa.select(pec.id.label("pec_id"), pec.patient_id, start.label("start"))
            .join_from(tables.prises_en_charge, tables.patients, p.id == pec.patient_id)
            .outerjoin(counters.worklist_periods, w.prise_en_charge_id == pec.id)
            .where(*_in_monitoring(c))
            .where(periods.stale(conn, c.length) == 1)
            .subquery("stale")
        )
        counters.roll_all(conn, stale, c.length, {"today": c.today})


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _page(
    conn: sa.Connection,
    f: sa.CTE,
    c: ports.Criteria,
    part: int,
    section: str,
    offset: int,
    limit: int,
) -> sa.Select[Any]:
    """One page of a section, in its order (`ord`), with the patients' names."""
    if section == "at_risk":
        unreachable = sa.case((f.c.days + _left(f, c) < f.c.needed, 0), else_=1)
        order = [unreachable, _left(f, c), f.c.days - f.c.needed, f.c.pec_id]
        kept = _at_risk(f, c)
    else:
        order, kept = (
            [periods.ends_on(conn, f.c.base, f.c.months), f.c.pec_id],
            _renewal(conn, f, c),
        )
    rows = (
        sa.select(f, sa.func.row_number().over(order_by=order).label("ord"))
        .where(kept)
        .order_by(*order)
        .offset(sa.bindparam(f"offset_{part}", offset, type_=sa.Integer))
        .limit(sa.bindparam(f"limit_{part}", limit, type_=sa.Integer))
        .subquery()
    )
    p = tables.patients.c
    return sa.select(
        sa.literal(part).label("part"), rows.c.ord, *_nulls(), rows.c.pec_id, rows.c.patient_id,
        p.family, p.given, p.synthetic, rows.c.indication, rows.c.starts_on,
        rows.c.prescriber_id, rows.c.days, rows.c.has_today, rows.c.prescribed_on, rows.c.months,
    ).join_from(rows, tables.patients, p.id == rows.c.patient_id)  # fmt: skip


def _nulls() -> list[sa.ColumnElement[Any]]:
    names = ("n_followed", "n_risk", "n_renew", "n_stale")
    return [sa.cast(sa.null(), sa.Integer).label(n) for n in names]


#: The page's statements by shape (`_shape`): building one costs more Python than most
#: executions of it, and the shapes are few (backend, period length, the indications and
#: prescription lengths compared, the filters used, the sections shown).
_BUILT: dict[tuple[object, ...], sa.Select[Any]] = {}
_KEPT = 64


def _shape(conn: sa.Connection, c: ports.Criteria, sections: list[str]) -> tuple[object, ...]:
    return (
        conn.dialect.name, c.length, tuple(sorted(c.needed)), tuple(sorted(c.renewal_bases)),
        c.indication is None, c.member is None, tuple(sections),
    )  # fmt: skip


def _statement(
    conn: sa.Connection, c: ports.Criteria, pages: Mapping[str, tuple[int, int]]
) -> sa.Select[Any]:
    """The totals and the pages of `pages`, in one statement (built once per shape)."""
    shape = _shape(conn, c, sorted(pages))
    found = _BUILT.get(shape)
    if found is None:
        f = _followed(conn, c)
        parts: list[sa.Select[Any]] = [_totals(conn, f, c)]
        for part, (section, (offset, limit)) in enumerate(sorted(pages.items()), start=1):
            parts.append(_page(conn, f, c, part, section, offset, limit))
        query = sa.union_all(*parts).subquery()
        found = sa.select(query).order_by(query.c.part, query.c.ord)
        if len(_BUILT) >= _KEPT:
            _BUILT.clear()
        _BUILT[shape] = found
    return found


def overview(
    engine: sa.Engine, c: ports.Criteria, pages: Mapping[str, tuple[int, int]]
) -> ports.Overview:
    """The totals and, for each section of `pages` ("at_risk", "renewals" → offset, limit),
    that page of rows: one statement, the followed set evaluated once."""
    values = _params(c)
    for part, (_section, (offset, limit)) in enumerate(sorted(pages.items()), start=1):
        values.update({f"offset_{part}": offset, f"limit_{part}": limit})
    with engine.connect() as conn:
        rows = list(conn.execute(_statement(conn, c, pages), values))
    found: dict[str, list[ports.Followed]] = {section: [] for section in pages}
    names = dict(enumerate(sorted(pages), start=1))
    first = rows[0]
    for r in rows[1:]:
        found[names[r.part]].append(
            ports.Followed(
                r.pec_id, r.patient_id, r.family, r.given, bool(r.synthetic), r.indication,
                _as_date(r.starts_on), r.prescriber_id, int(r.days),
                c.today if r.has_today else None,
                None if r.prescribed_on is None else _as_date(r.prescribed_on), r.months,
            )
        )  # fmt: skip
    totals_ = ports.Totals(
        int(first.n_followed), int(first.n_risk), int(first.n_renew), int(first.n_stale)
    )
    return ports.Overview(totals_, found)


def _totals(conn: sa.Connection, f: sa.CTE, c: ports.Criteria) -> sa.Select[*tuple[Any, ...]]:
    """The totals row, shaped as the page rows (their columns empty)."""
    empty = [
        sa.cast(sa.null(), t).label(n)
        for n, t in (
            ("pec_id", sa.Integer), ("patient_id", sa.Integer), ("family", sa.String),
            ("given", sa.String), ("synthetic", sa.Boolean), ("indication", sa.String),
            ("starts_on", sa.Date), ("prescriber_id", sa.Integer), ("days", sa.Integer),
            ("has_today", sa.Integer), ("prescribed_on", sa.Date), ("months", sa.Integer),
        )
    ]  # fmt: skip
    return sa.select(
        sa.literal(0).label("part"), sa.literal(0, sa.BigInteger).label("ord"),
        sa.func.count().label("n_followed"), _count(_at_risk(f, c)).label("n_risk"),
        _count(_renewal(conn, f, c)).label("n_renew"),
        sa.func.coalesce(sa.func.sum(f.c.stale), 0).label("n_stale"), *empty,
    ).select_from(f)  # fmt: skip


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
