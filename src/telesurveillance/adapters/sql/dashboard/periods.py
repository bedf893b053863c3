"""Day arithmetic of the worklist in SQL, the same on SQLite and PostgreSQL: the current
period's first day and day number, a counter row of another period, and `add_months` (a
prescription's end). `today` is the bound parameter every expression here reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import counters


def today() -> sa.BindParameter[dt.date]:
    return sa.bindparam("today", type_=sa.Date)


def period_start(conn: sa.Connection, length: int) -> sa.ColumnElement[dt.date]:
    """SQL for the first day of the period holding the bound parameter `today`."""
    pec = tables.prises_en_charge.c
    day = today()
    if conn.dialect.name == "postgresql":
        since = sa.cast(day - pec.starts_on, sa.Integer)
        return sa.cast(pec.starts_on + (since // length) * length, sa.Date)
    days = sa.cast(sa.func.julianday(day) - sa.func.julianday(pec.starts_on), sa.Integer)
    shift = sa.literal("+") + sa.cast((days // length) * length, sa.String) + " days"
    return sa.func.date(pec.starts_on, shift)


def elapsed(conn: sa.Connection, length: int) -> sa.ColumnElement[int]:
    """Day of the current period, from 1 (`today` is on or after the start)."""
    pec = tables.prises_en_charge.c
    if conn.dialect.name == "postgresql":
        since = sa.cast(today() - pec.starts_on, sa.Integer)
    else:
        since = sa.cast(sa.func.julianday(today()) - sa.func.julianday(pec.starts_on), sa.Integer)
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


def greatest(conn: sa.Connection, a: Any, b: Any) -> sa.ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return sa.func.greatest(a, b)
    return sa.func.max(a, b)  # SQLite: max() of two arguments is the scalar one


def stale(conn: sa.Connection, length: int) -> sa.ColumnElement[int]:
    """1 where the counter row is missing or counts another period than today's: its start is
    not `starts_on` plus a whole number of periods up to today (day arithmetic: no date text
    built per row)."""
    pec, w = tables.prises_en_charge.c, counters.worklist_periods.c
    if conn.dialect.name == "postgresql":
        since = sa.cast(today() - pec.starts_on, sa.Integer)
        counted = sa.cast(w.period_start - pec.starts_on, sa.Integer)
    else:
        day = sa.func.julianday
        since = sa.cast(day(today()) - day(pec.starts_on), sa.Integer)
        counted = sa.cast(day(w.period_start) - day(pec.starts_on), sa.Integer)
    differs = sa.or_(w.period_start.is_(None), counted != (since // length) * length)
    return sa.case((differs, 1), else_=0)
