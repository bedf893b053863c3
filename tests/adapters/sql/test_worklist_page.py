"""The worklist page's SQL decides as the Python rules do, on SQLite and PostgreSQL: the at-risk
outlook (`forecast.outlook`) in integers, the renewal end (`add_months`, month-end clamped) and
the renewal due on or before the notice day through `latest_start`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.dashboard import periods, worklist_page
from telesurveillance.services.billing import forecast
from telesurveillance.services.dashboard import ports, worklist

LENGTH = 30
TODAY = dt.date(2026, 11, 23)

_grid = sa.MetaData()
outlooks = sa.Table(
    "test_worklist_outlooks",
    _grid,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("days", sa.Integer),
    sa.Column("needed", sa.Integer),
    sa.Column("elapsed", sa.Integer),
    sa.Column("has_today", sa.Integer),
)
renewals = sa.Table(
    "test_worklist_renewals",
    _grid,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("base", sa.Date),
    sa.Column("months", sa.Integer),
)


@pytest.fixture
def grid(engine: sa.Engine) -> Iterator[sa.Engine]:
    _grid.create_all(engine)
    try:
        yield engine
    finally:
        _grid.drop_all(engine)


def _criteria(notice: dt.date) -> ports.Criteria:
    bases = {m: worklist.latest_start(notice, m) for m in range(1, worklist.RENEWAL_MONTHS + 1)}
    return ports.Criteria(TODAY, LENGTH, {}, notice, bases)


def test_the_database_finds_at_risk_exactly_the_periods_the_forecast_calls_at_risk_or_out_of_reach(
    grid: sa.Engine,
) -> None:
    rows = [
        {"days": days, "needed": needed, "elapsed": elapsed, "has_today": has_today}
        for needed in (2, 6, 15, 30)
        for elapsed in range(1, LENGTH + 1)
        for days in range(elapsed + 1)
        for has_today in (0, 1)
        if days or not has_today
    ]
    with database.writing(grid) as conn:
        conn.execute(sa.insert(outlooks), rows)
    f = outlooks.alias("followed")
    c = _criteria(TODAY)
    query = sa.select(f.c.id).where(worklist_page._at_risk(f, c))  # type: ignore[arg-type]
    with grid.connect() as conn:
        found = {r[0] for r in conn.execute(query)}
        every = list(conn.execute(sa.select(outlooks)))
    expected = set()
    for r in every:
        left = LENGTH - r.elapsed + 1 - r.has_today
        seen = forecast.outlook(r.days, r.needed, left, r.elapsed)
        if seen in (forecast.Outlook.AT_RISK, forecast.Outlook.UNREACHABLE):
            expected.add(r.id)
    assert expected  # the grid has both sides of the boundary
    assert len(expected) < len(every)
    assert found == expected


def _month_ends() -> list[dt.date]:
    days = []
    for year in (2024, 2025):
        for month in range(1, 13):
            for day in (1, 15, 28, 29, 30, 31):
                try:
                    days.append(dt.date(year, month, day))
                except ValueError:
                    continue
    return days


def test_the_database_ends_a_prescription_on_the_day_add_months_does_month_ends_included(
    grid: sa.Engine,
) -> None:
    rows = [{"base": d, "months": m} for d in _month_ends() for m in (1, 2, 3, 6, 12, 30)]
    with database.writing(grid) as conn:
        conn.execute(sa.insert(renewals), rows)
        ends = periods.ends_on(conn, renewals.c.base, renewals.c.months)
        found = list(conn.execute(sa.select(renewals.c.base, renewals.c.months, ends)))
    for base, months, end in found:
        assert worklist_page._as_date(end) == worklist.add_months(base, months), (base, months)


@pytest.mark.parametrize("notice", [dt.date(2025, 2, 28), dt.date(2025, 3, 31), TODAY])
def test_a_renewal_is_due_in_the_database_exactly_when_its_end_is_on_or_before_the_notice_day(
    grid: sa.Engine, notice: dt.date
) -> None:
    months = (1, 3, 6, 12, worklist.RENEWAL_MONTHS + 6)  # the last one beyond the compared
    days = [notice - dt.timedelta(days=n) for n in range(0, 800, 3)] + _month_ends()
    rows = [{"base": d, "months": m} for d in days for m in months]
    with database.writing(grid) as conn:
        conn.execute(sa.insert(renewals), rows)
    f = renewals.alias("followed")
    with grid.connect() as conn:
        due = worklist_page._renewal(conn, f, _criteria(notice))  # type: ignore[arg-type]
        found = {r[0] for r in conn.execute(sa.select(f.c.id).where(due), {"notice": notice})}
        every = list(conn.execute(sa.select(renewals)))
    expected = {r.id for r in every if worklist.add_months(r.base, r.months) <= notice}
    assert expected
    assert len(expected) < len(every)
    assert found == expected
