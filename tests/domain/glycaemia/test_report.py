"""The glycaemia report and the ambulatory glucose profile over a modal day (Paris time)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telesurveillance.domain import calendar
from telesurveillance.domain.glycaemia import consensus, profile, report
from telesurveillance.domain.measures import reading

RULES = consensus.packaged()
MINUTE = 60_000
DAY = 1440 * MINUTE


def _standard() -> consensus.Profile:
    found = RULES.profile_for({"diabete"})
    assert found is not None
    return found


def _paris(day: dt.date, hour: int, minute: int = 0) -> int:
    return reading.millis(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=calendar.PARIS))


def _fortnight(start: int, value: float = 120) -> tuple[list[int], list[float]]:
    ts = list(range(start, start + 14 * DAY, 5 * MINUTE))
    return ts, [value] * len(ts)


def test_a_full_fortnight_in_range_meets_every_target() -> None:
    start = _paris(dt.date(2026, 3, 2), 0)
    ts, vs = _fortnight(start)
    found = report.assess(RULES, _standard(), ts, vs, start, start + 14 * DAY)
    assert found.count == 14 * 288
    assert found.days_with_data == 14
    assert found.sufficient
    assert found.mean == 120
    assert found.gmi_percent == pytest.approx(3.31 + 0.02392 * 120)
    assert found.cv == 0
    assert found.cv_stable
    assert all(c.met for c in found.targets)
    assert (found.first_day, found.last_day) == (dt.date(2026, 3, 2), dt.date(2026, 3, 15))


def test_readings_outside_the_window_are_left_out() -> None:
    start = _paris(dt.date(2026, 3, 2), 0)
    ts, vs = _fortnight(start - DAY)
    found = report.assess(RULES, _standard(), ts, vs, start, start + 14 * DAY)
    assert found.count == 13 * 288
    assert found.days_with_data == 13


def test_without_readings_the_report_has_no_figures_and_no_verdicts() -> None:
    found = report.assess(RULES, _standard(), [], [], 0, 14 * DAY)
    assert (found.count, found.mean, found.gmi_percent, found.cv) == (0, None, None, None)
    assert found.targets == ()
    assert not found.sufficient
    assert all(s.values is None for s in found.modal_day)


@pytest.mark.parametrize(("active", "enough"), [(70.0, True), (69.9, False)])
def test_the_data_are_sufficient_from_70_percent_of_sensor_time(
    active: float, enough: bool
) -> None:
    start = _paris(dt.date(2026, 3, 2), 0)
    found = report.assess(RULES, _standard(), *_fortnight(start), start, start + 14 * DAY)
    assert dataclasses.replace(found, active_percent=active).sufficient is enough


@pytest.mark.parametrize(("cv", "stable"), [(36.0, True), (36.1, False)])
def test_glucose_is_stable_up_to_a_cv_of_36_percent(cv: float, stable: bool) -> None:
    found = report.assess(RULES, _standard(), [], [], 0, DAY)
    assert dataclasses.replace(found, cv=cv).cv_stable is stable


def test_the_modal_day_reads_paris_time_in_winter_and_in_summer() -> None:
    winter = _paris(dt.date(2026, 1, 15), 12, 30)
    summer = _paris(dt.date(2026, 7, 15), 12, 30)
    assert winter - reading.millis(dt.datetime(2026, 1, 15, 11, 30, tzinfo=dt.UTC)) == 0
    assert summer - reading.millis(dt.datetime(2026, 7, 15, 10, 30, tzinfo=dt.UTC)) == 0
    assert profile.slot_of(winter) == profile.slot_of(summer) == (12 * 60 + 30) // 15


def test_a_slot_with_too_few_readings_is_left_empty() -> None:
    base = _paris(dt.date(2026, 3, 2), 8)
    days = profile.MIN_READINGS - 1
    found = profile.modal_day([base + d * DAY for d in range(days)], [100.0] * days)
    assert all(s.values is None for s in found)
    enough = profile.MIN_READINGS
    found = profile.modal_day([base + d * DAY for d in range(enough)], [100.0] * enough)
    assert found[8 * 4].values == (100.0,) * 5
    assert found[8 * 4].count == enough


def test_percentiles_interpolate_between_ranks() -> None:
    ordered = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert profile.quantile(ordered, 0.5) == 3
    assert profile.quantile(ordered, 0.25) == 2
    assert profile.quantile(ordered, 0.05) == pytest.approx(1.2)
    assert profile.quantile([7.0], 0.95) == 7


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 14 * DAY - 1), st.floats(min_value=20, max_value=600)),
        min_size=1,
        max_size=600,
    )
)
def test_the_percentile_curves_never_cross(points: list[tuple[int, float]]) -> None:
    points.sort()
    found = profile.modal_day([p[0] for p in points], [p[1] for p in points])
    for slot in found:
        if slot.values is not None:
            assert list(slot.values) == sorted(slot.values)
