"""Paris days, billing periods and the AMO / rest split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telesurveillance.domain import calendar, money

UTC = dt.UTC


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- Paris days ----------------------------------------------------------------------------


def test_a_late_winter_evening_in_utc_is_the_next_day_in_paris() -> None:
    assert calendar.paris_day(_utc("2024-01-15T23:30")) == dt.date(2024, 1, 16)


def test_a_winter_evening_before_23h_utc_is_the_same_day_in_paris() -> None:
    assert calendar.paris_day(_utc("2024-01-15T22:59")) == dt.date(2024, 1, 15)


def test_a_summer_evening_before_22h_utc_is_the_same_day_in_paris() -> None:
    assert calendar.paris_day(_utc("2024-07-15T21:59")) == dt.date(2024, 7, 15)


def test_a_summer_evening_at_22h_utc_is_the_next_day_in_paris() -> None:
    assert calendar.paris_day(_utc("2024-07-15T22:00")) == dt.date(2024, 7, 16)


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        # 31 March 2024: clocks go from 02:00 CET to 03:00 CEST at 01:00 UTC.
        ("2024-03-30T22:59", dt.date(2024, 3, 30)),
        ("2024-03-30T23:00", dt.date(2024, 3, 31)),
        ("2024-03-31T00:59", dt.date(2024, 3, 31)),
        ("2024-03-31T01:00", dt.date(2024, 3, 31)),
        ("2024-03-31T21:59", dt.date(2024, 3, 31)),
        ("2024-03-31T22:00", dt.date(2024, 4, 1)),
        # 27 October 2024: clocks go from 03:00 CEST back to 02:00 CET at 01:00 UTC.
        ("2024-10-26T21:59", dt.date(2024, 10, 26)),
        ("2024-10-26T22:00", dt.date(2024, 10, 27)),
        ("2024-10-27T00:30", dt.date(2024, 10, 27)),
        ("2024-10-27T01:30", dt.date(2024, 10, 27)),
        ("2024-10-27T22:59", dt.date(2024, 10, 27)),
        ("2024-10-27T23:00", dt.date(2024, 10, 28)),
    ],
)
def test_paris_day_follows_the_clock_change_days(instant: str, day: dt.date) -> None:
    assert calendar.paris_day(_utc(instant)) == day


def test_paris_day_accepts_instants_in_other_time_zones() -> None:
    new_york = dt.timezone(dt.timedelta(hours=-5))
    instant = dt.datetime(2024, 1, 15, 18, 30, tzinfo=new_york)  # 23:30 UTC
    assert calendar.paris_day(instant) == dt.date(2024, 1, 16)


def test_paris_day_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        calendar.paris_day(dt.datetime(2024, 1, 15, 12, 0))  # noqa: DTZ001


# --- periods -------------------------------------------------------------------------------

START = dt.date(2024, 6, 3)


def test_period_one_starts_on_the_start_of_monitoring() -> None:
    first = calendar.period(START, 1, 30)
    assert (first.start, first.end, first.last_day) == (
        START,
        dt.date(2024, 7, 3),
        dt.date(2024, 7, 2),
    )
    assert first.contains(START)
    assert first.contains(dt.date(2024, 7, 2))
    assert not first.contains(dt.date(2024, 7, 3))


def test_periods_are_counted_date_to_date() -> None:
    assert calendar.period(START, 2, 30).start == dt.date(2024, 7, 3)
    assert calendar.period(START, 7, 30).start == START + dt.timedelta(days=180)


def test_period_numbers_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        calendar.period(START, 0, 30)


def test_period_number_of_the_first_and_last_days_of_a_period() -> None:
    assert calendar.period_number(START, START, 30) == 1
    assert calendar.period_number(START, START + dt.timedelta(days=29), 30) == 1
    assert calendar.period_number(START, START + dt.timedelta(days=30), 30) == 2


def test_period_number_floors_for_the_day_before_the_start() -> None:
    assert calendar.period_number(START, START - dt.timedelta(days=1), 30) == 0


def test_period_number_floors_thirty_days_before_the_start() -> None:
    assert calendar.period_number(START, START - dt.timedelta(days=30), 30) == 0


def test_period_number_floors_thirty_one_days_before_the_start() -> None:
    assert calendar.period_number(START, START - dt.timedelta(days=31), 30) == -1


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-400, 1),
        (-1, 1),
        (0, 1),
        (1, 2),
        (29, 2),
        (30, 2),
        (31, 3),
        (60, 3),
        (61, 4),
    ],
)
def test_first_period_starting_on_or_after_a_day(offset: int, expected: int) -> None:
    day = START + dt.timedelta(days=offset)
    number = calendar.first_period_starting_on_or_after(START, day, 30)
    assert number == expected
    assert calendar.period(START, number, 30).start >= day


@given(st.integers(min_value=-1000, max_value=1000))
@settings(max_examples=150, deadline=None)
def test_first_period_starting_on_or_after_is_the_smallest_such_period(offset: int) -> None:
    day = START + dt.timedelta(days=offset)
    number = calendar.first_period_starting_on_or_after(START, day, 30)
    assert calendar.period(START, number, 30).start >= day
    if number > 1:
        assert calendar.period(START, number - 1, 30).start < day


# --- money ---------------------------------------------------------------------------------


def test_split_of_the_forfait_operateur_at_sixty_percent() -> None:
    assert money.split(Decimal("28.00"), Decimal("0.60")) == (Decimal("16.80"), Decimal("11.20"))


def test_split_at_full_coverage_leaves_no_rest() -> None:
    assert money.split(Decimal("50.00"), Decimal("1.00")) == (Decimal("50.00"), Decimal("0.00"))


def test_split_rounds_half_up_to_the_cent() -> None:
    assert money.split(Decimal("0.05"), Decimal("0.50")) == (Decimal("0.03"), Decimal("0.02"))


@pytest.mark.parametrize("rate", ["-0.01", "1.01", "2"])
def test_split_refuses_a_rate_outside_zero_and_one(rate: str) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        money.split(Decimal("28.00"), Decimal(rate))


def test_money_text_has_two_decimals() -> None:
    assert money.text(Decimal("28")) == "28.00"
    assert money.text(Decimal("16.805")) == "16.81"


AMOUNTS = st.integers(min_value=0, max_value=1_000_000).map(lambda c: Decimal(c).scaleb(-2))
RATES = st.one_of(
    st.just(Decimal("0.60")),
    st.just(Decimal("1.00")),
    st.integers(min_value=0, max_value=100).map(lambda c: Decimal(c).scaleb(-2)),
)


def _two_decimals(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


@given(AMOUNTS, RATES)
@settings(max_examples=150, deadline=None)
def test_split_always_adds_up_to_the_amount(amount: Decimal, rate: Decimal) -> None:
    amo, rest = money.split(amount, rate)
    assert amo + rest == amount
    assert _two_decimals(amo)
    assert _two_decimals(rest)
    assert Decimal(0) <= amo <= amount


# --- calendar months (PECAN year) ------------------------------------------------------------


def test_a_year_of_months_lands_on_the_same_day() -> None:
    assert calendar.add_months(dt.date(2023, 10, 30), 12) == dt.date(2024, 10, 30)


def test_adding_a_month_to_the_31st_clamps_to_the_last_day_of_a_short_month() -> None:
    assert calendar.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert calendar.add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)


def test_adding_months_crosses_the_year_end() -> None:
    assert calendar.add_months(dt.date(2023, 12, 15), 1) == dt.date(2024, 1, 15)
    assert calendar.add_months(dt.date(2023, 11, 30), 14) == dt.date(2025, 1, 30)


def test_days_per_period_counts_each_day_in_its_period_on_both_sides_of_a_boundary() -> None:
    start = dt.date(2024, 6, 3)
    days = [
        dt.date(2024, 6, 2),  # the day before the start: period 0
        start,
        dt.date(2024, 7, 2),  # last day of period 1
        dt.date(2024, 7, 3),  # first day of period 2
    ]
    counted = calendar.days_per_period(start, days, 30)
    assert counted == {0: 1, 1: 2, 2: 1}
    for day in days:
        assert calendar.period_number(start, day, 30) in counted


def test_a_period_has_ended_before_the_day_after_its_last_day_not_on_it() -> None:
    last_day = calendar.period(START, 1, 30).last_day
    assert calendar.ended_before(START, last_day, 30) == 0
    assert calendar.ended_before(START, last_day + dt.timedelta(days=1), 30) == 1
    assert calendar.ended_before(START, START - dt.timedelta(days=1), 30) == 0
