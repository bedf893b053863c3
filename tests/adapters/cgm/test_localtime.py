"""Export timestamps: formats, date-order detection, and the daylight-saving rules."""

from __future__ import annotations

import datetime as dt

import pytest

from telesurveillance.adapters.cgm import localtime
from telesurveillance.domain import calendar

PARIS = calendar.PARIS
DMY = localtime.DateOrder.DAY_FIRST
MDY = localtime.DateOrder.MONTH_FIRST
YMD = localtime.DateOrder.YEAR_FIRST


def wall(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    """A naive local wall time, as an export writes it."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC).replace(tzinfo=None)


def stamps(*texts: str) -> list[localtime.Stamp]:
    return [localtime.parse(t) for t in texts]


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("14-01-2026 00:04", DMY, wall(2026, 1, 14, 0, 4)),
        ("01-14-2026 12:04 AM", MDY, wall(2026, 1, 14, 0, 4)),
        ("01-14-2026 12:04 PM", MDY, wall(2026, 1, 14, 12, 4)),
        ("01/14/2026 11:59 p.m.", MDY, wall(2026, 1, 14, 23, 59)),
        ("14.01.2026 7:05", DMY, wall(2026, 1, 14, 7, 5)),
        ("2026-01-14T00:02:31", YMD, wall(2026, 1, 14, 0, 2, 31)),
        ("2026-01-14 00:02:31", YMD, wall(2026, 1, 14, 0, 2, 31)),
        ("2026-01-14T00:02:31.500", YMD, wall(2026, 1, 14, 0, 2, 31)),
    ],
)
def test_timestamps_as_the_platforms_write_them(
    text: str, order: localtime.DateOrder, expected: dt.datetime
) -> None:
    assert localtime.parse(text).wall(order) == expected


@pytest.mark.parametrize(
    "text",
    ["", "14-01-26 00:04", "14-01-2026", "31-31-2026 10:00", "14-01-2026 13:00 PM", "today"],
)
def test_what_is_not_a_timestamp_is_refused_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match=r"date|year|hour"):
        localtime.parse(text)


def test_a_day_above_twelve_first_proves_day_month_order() -> None:
    assert localtime.detect_order(stamps("13-01-2026 10:00", "01-02-2026 10:00")) is DMY


def test_a_day_above_twelve_second_proves_month_day_order() -> None:
    assert localtime.detect_order(stamps("01-13-2026 10:00", "02-01-2026 10:00")) is MDY


def test_twelve_is_not_enough_to_tell() -> None:
    assert localtime.detect_order(stamps("12-01-2026 10:00")) is None


def test_dates_with_equal_day_and_month_read_the_same_either_way() -> None:
    assert localtime.detect_order(stamps("03-03-2026 10:00", "11-11-2026 10:00")) is DMY


def test_a_file_mixing_both_orders_is_refused() -> None:
    with pytest.raises(ValueError, match="no single date order"):
        localtime.detect_order(stamps("13-01-2026 10:00", "01-13-2026 10:00"))


def test_year_first_dates_are_their_own_order_and_do_not_mix() -> None:
    assert localtime.detect_order(stamps("2026-01-02 10:00")) is YMD
    with pytest.raises(ValueError, match="mixes"):
        localtime.detect_order(stamps("2026-01-02 10:00", "13-01-2026 10:00"))


def test_no_dates_tell_nothing() -> None:
    assert localtime.detect_order([]) is None


@pytest.mark.parametrize(
    ("wall", "kind"),
    [
        (wall(2026, 3, 29, 1, 59), localtime.Transition.NONE),
        (wall(2026, 3, 29, 2, 0), localtime.Transition.GAP),
        (wall(2026, 3, 29, 2, 59), localtime.Transition.GAP),
        (wall(2026, 3, 29, 3, 0), localtime.Transition.NONE),
        (wall(2026, 10, 25, 1, 59), localtime.Transition.NONE),
        (wall(2026, 10, 25, 2, 0), localtime.Transition.OVERLAP),
        (wall(2026, 10, 25, 2, 59), localtime.Transition.OVERLAP),
        (wall(2026, 10, 25, 3, 0), localtime.Transition.NONE),
    ],
)
def test_transitions_are_found_on_both_sides_of_their_edges(
    wall: dt.datetime, kind: localtime.Transition
) -> None:
    assert localtime.transition(wall, PARIS) is kind


def test_a_gap_time_reads_with_the_offset_before_the_change() -> None:
    moment = localtime.instant(wall(2026, 3, 29, 2, 30), PARIS)
    assert moment == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)


def test_an_overlap_time_is_summer_time_first_and_winter_time_second() -> None:
    ambiguous = wall(2026, 10, 25, 2, 30)
    assert localtime.instant(ambiguous, PARIS) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    second = localtime.instant(ambiguous, PARIS, second_pass=True)
    assert second == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)


def test_the_overlap_tracker_counts_per_series_and_ignores_ordinary_times() -> None:
    tracker = localtime.Overlap()
    ambiguous = wall(2026, 10, 25, 2, 30)
    assert not tracker.second_pass("a", ambiguous, PARIS)
    assert not tracker.second_pass("b", ambiguous, PARIS)
    assert tracker.second_pass("a", ambiguous, PARIS)
    plain = wall(2026, 10, 25, 4, 30)
    assert not tracker.second_pass("a", plain, PARIS)
    assert not tracker.second_pass("a", plain, PARIS)
