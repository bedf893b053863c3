"""Chart lines break over days without data and over long silences, never elsewhere."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.domain import calendar
from telesurveillance.domain.measures import gaps, reading


def _at(day: int, hour: int, minute: int = 0) -> int:
    moment = dt.datetime(2026, 3, day, hour, minute, tzinfo=calendar.PARIS)
    return reading.millis(moment)


def test_daily_readings_on_consecutive_days_form_one_line() -> None:
    assert gaps.breaks([_at(d, 8) for d in (2, 3, 4, 5)]) == []


def test_a_day_without_data_breaks_the_line() -> None:
    assert gaps.breaks([_at(2, 8), _at(3, 8), _at(5, 8), _at(6, 8)]) == [2]


def test_readings_late_one_evening_and_early_the_next_morning_are_joined() -> None:
    # 23:55 then 00:05 the next day (10 minutes, adjacent days): one line
    assert gaps.breaks([_at(2, 23, 45), _at(2, 23, 55), _at(3, 0, 5)]) == []


def test_a_sensor_silent_for_more_than_three_intervals_breaks_the_line() -> None:
    five = [_at(2, 10, m) for m in range(0, 60, 5)]
    assert gaps.breaks([*five, _at(2, 11, 10)]) == []  # 15 minutes: three intervals, joined
    assert gaps.breaks([*five, _at(2, 11, 11)]) == [len(five)]  # 16 minutes: a hole


def test_the_hole_is_a_missing_value_half_way() -> None:
    xs, ys = gaps.with_gaps([_at(2, 8), _at(3, 8), _at(5, 8)], [70.0, 71.0, 72.0])
    assert ys == [70.0, 71.0, None, 72.0]
    assert xs[2] == (_at(3, 8) + _at(5, 8)) // 2
    assert xs == sorted(xs)


def test_one_reading_or_none_has_no_break() -> None:
    assert gaps.breaks([]) == gaps.breaks([_at(2, 8)]) == []
    assert gaps.with_gaps([], []) == ([], [])


# A busy machine slows generation and runs; the property does not depend on time.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 60 * 86_400_000), max_size=200, unique=True))
def test_holes_keep_every_reading_in_order_and_never_come_twice(instants: list[int]) -> None:
    instants.sort()
    xs, ys = gaps.with_gaps(instants, [float(i) for i in range(len(instants))])
    assert [y for y in ys if y is not None] == [float(i) for i in range(len(instants))]
    assert xs == sorted(xs)
    assert all(not (a is None and b is None) for a, b in itertools.pairwise(ys))
    assert ys[:1] != [None]
    assert ys[-1:] != [None]
