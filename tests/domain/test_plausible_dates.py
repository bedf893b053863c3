"""Plausible instants of readings and plausible lifespans, on both sides of every bound."""

from __future__ import annotations

import datetime as dt

import pytest

from telesurveillance import config
from telesurveillance.domain import lifespan
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.regulation import store

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
FLOOR = dt.date(2023, 7, 1)
WINDOW = instants.window(NOW, dt.timedelta(minutes=5), FLOOR)
MS = dt.timedelta(milliseconds=1)


def _ts(moment: dt.datetime) -> int:
    return reading.millis(moment)


def test_the_common_law_start_is_read_from_the_regulation_data(
    regulation: store.Regulation,
) -> None:
    assert regulation.common_law_start() == FLOOR


def test_an_instant_up_to_the_tolerance_ahead_is_plausible_and_not_one_ms_more() -> None:
    latest = NOW + dt.timedelta(minutes=5)
    assert WINDOW.refusal(_ts(latest), "x") is None
    assert _ts(latest) in WINDOW
    refused = WINDOW.refusal(_ts(latest + MS), "x")
    assert refused is not None
    assert "more than 5 min ahead" in refused
    assert _ts(latest + MS) not in WINDOW


def test_the_floor_is_paris_midnight_of_the_first_day_of_the_common_law() -> None:
    midnight = dt.datetime(2023, 6, 30, 22, 0, tzinfo=dt.UTC)  # summer time: UTC+2
    assert WINDOW.refusal(_ts(midnight), "x") is None
    refused = WINDOW.refusal(_ts(midnight - MS), "x")
    assert refused is not None
    assert "before 2023-07-01" in refused


def test_a_tolerance_of_zero_refuses_the_next_millisecond() -> None:
    strict = instants.window(NOW, dt.timedelta(0), FLOOR)
    assert strict.refusal(_ts(NOW), "x") is None
    assert strict.refusal(_ts(NOW + MS), "x") is not None


def test_a_negative_tolerance_is_an_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        instants.window(NOW, dt.timedelta(seconds=-1), FLOOR)


def test_a_reading_on_the_paris_day_of_birth_is_plausible_and_not_the_day_before() -> None:
    born = dt.date(2024, 1, 10)
    midnight = dt.datetime(2024, 1, 9, 23, 0, tzinfo=dt.UTC)  # winter time: UTC+1
    assert instants.birth_refusal(_ts(midnight), born, "x") is None
    assert instants.birth_refusal(_ts(midnight - MS), born, "x") is not None


def test_a_birth_date_from_today_back_to_130_years() -> None:
    today = dt.date(2026, 3, 1)
    assert lifespan.birth_refusal(today, today) is None
    assert lifespan.birth_refusal(today + dt.timedelta(days=1), today) is not None
    assert lifespan.birth_refusal(dt.date(1896, 3, 1), today) is None
    assert lifespan.birth_refusal(dt.date(1896, 2, 29), today) is not None
    assert lifespan.birth_refusal(dt.date(1, 1, 1), today) is not None


def test_the_earliest_birth_on_a_29_february_is_the_first_of_march() -> None:
    assert lifespan.earliest_birth(dt.date(2028, 2, 29)) == dt.date(1898, 3, 1)


def test_a_death_between_the_birth_and_today() -> None:
    born, today = dt.date(1950, 1, 1), dt.date(2026, 3, 1)
    assert lifespan.death_refusal(born, born, today) is None
    assert lifespan.death_refusal(today, born, today) is None
    assert lifespan.death_refusal(born - dt.timedelta(days=1), born, today) is not None
    assert lifespan.death_refusal(today + dt.timedelta(days=1), born, today) is not None


def test_the_clock_tolerance_setting() -> None:
    assert config.Settings.from_env({}).clock_tolerance == dt.timedelta(minutes=5)
    zero = config.Settings.from_env({"TELESURVEILLANCE_CLOCK_TOLERANCE_SECONDS": "0"})
    assert zero.clock_tolerance == dt.timedelta(0)
    one = config.Settings.from_env({"TELESURVEILLANCE_CLOCK_TOLERANCE_SECONDS": "90"})
    assert one.clock_tolerance == dt.timedelta(seconds=90)
    for bad in ("-1", "5m", "1.5", "\u00b2"):
        with pytest.raises(ValueError, match="TELESURVEILLANCE_CLOCK_TOLERANCE_SECONDS"):
            config.Settings.from_env({"TELESURVEILLANCE_CLOCK_TOLERANCE_SECONDS": bad})
