"""The Paris wall clock of a whole series (`calendar.paris_wall_ms`) reads every instant as
`paris_day` and `astimezone(PARIS)` do, across summer-time changes and the old mid-hour ones."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading

MINUTE = 60_000


def _utc(text: str) -> int:
    return reading.millis(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC))


def _wall(ts: int) -> tuple[dt.date, int]:
    """The Paris day and the minute of that day, from the series path."""
    wall = calendar.paris_wall_ms([ts])[0]
    return calendar.wall_day(wall), wall % calendar.DAY_MS // MINUTE


def _exact(ts: int) -> tuple[dt.date, int]:
    local = reading.instant(ts).astimezone(calendar.PARIS)
    return calendar.paris_day(reading.instant(ts)), local.hour * 60 + local.minute


@pytest.mark.parametrize(
    ("utc", "day", "clock"),
    [
        ("2026-03-29T00:59:59.999", dt.date(2026, 3, 29), "01:59"),  # last winter minute
        ("2026-03-29T01:00:00", dt.date(2026, 3, 29), "03:00"),  # 02:00 never happens
        ("2026-10-25T00:59:59.999", dt.date(2026, 10, 25), "02:59"),  # last summer minute
        ("2026-10-25T01:00:00", dt.date(2026, 10, 25), "02:00"),  # 02:00-03:00 twice
        ("2026-07-15T21:59:59.999", dt.date(2026, 7, 15), "23:59"),
        ("2026-07-15T22:00:00", dt.date(2026, 7, 16), "00:00"),
        ("2026-01-15T22:59:59.999", dt.date(2026, 1, 15), "23:59"),
        ("2026-01-15T23:00:00", dt.date(2026, 1, 16), "00:00"),
    ],
)
def test_each_side_of_a_change_of_offset_or_of_day_reads_the_paris_clock(
    utc: str, day: dt.date, clock: str
) -> None:
    hours, minutes = (int(part) for part in clock.split(":"))
    assert _wall(_utc(utc)) == (day, hours * 60 + minutes) == _exact(_utc(utc))


def test_a_series_across_both_changes_of_a_year_reads_as_one_instant_at_a_time() -> None:
    instants = list(range(_utc("2026-03-28T00:00"), _utc("2026-10-27T00:00"), 7 * MINUTE))
    walls = calendar.paris_wall_ms(instants)
    assert [(calendar.wall_day(w), w % calendar.DAY_MS // MINUTE) for w in walls] == [
        _exact(ts) for ts in instants
    ]


def test_an_empty_series_has_no_wall_clock() -> None:
    assert calendar.paris_wall_ms([]) == []


# A busy machine slows generation and runs; the property does not depend on time.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(_utc("1880-01-01T00:00"), _utc("2100-01-01T00:00")))
def test_any_instant_since_1880_reads_as_paris_day_and_astimezone_read_it(ts: int) -> None:
    # covers the Paris mean time of before 1911 (+0:09:21, a change inside an hour)
    assert _wall(ts) == _exact(ts)


def test_the_hour_of_the_1911_change_inside_an_hour_is_read_instant_by_instant() -> None:
    # Paris mean time (+0:09:21) gave way to Greenwich time at 23:50:39 UTC on 10 March 1911
    instants = list(range(_utc("1911-03-10T23:00"), _utc("1911-03-11T00:10"), MINUTE))
    walls = calendar.paris_wall_ms(instants)
    assert [(calendar.wall_day(w), w % calendar.DAY_MS // MINUTE) for w in walls] == [
        _exact(ts) for ts in instants
    ]
    assert walls[0] - instants[0] == 561_000  # 9 min 21 s ahead before the change
    assert walls[-1] == instants[-1]  # on Greenwich time after it
