"""The forecast says, for the current period, whether the observance threshold can be reached."""

from __future__ import annotations

import datetime as dt

from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import forecast
from tests.services.billing import situations

START = situations.START


def _outlook(
    regulation: store.Regulation, days: list[dt.date], today: dt.date
) -> forecast.Forecast:
    found = forecast.forecast(regulation, [situations.stream(days)], today)
    assert len(found) == 1
    return found[0]


def test_fifteen_days_of_thirty_reach_the_threshold(regulation: store.Regulation) -> None:
    f = _outlook(regulation, situations.daily(START, 15), START + dt.timedelta(days=14))
    assert f.needed_days == 15
    assert f.days_with_data == 15
    assert f.outlook is forecast.Outlook.REACHED


def test_fourteen_days_do_not_reach_it_yet(regulation: store.Regulation) -> None:
    f = _outlook(regulation, situations.daily(START, 14), START + dt.timedelta(days=13))
    assert f.outlook is forecast.Outlook.ON_TRACK
    assert f.missing_days == 1


def test_still_reachable_when_the_days_left_exactly_cover_the_missing_ones(
    regulation: store.Regulation,
) -> None:
    # day 16 of 30 (index 15), nothing sent yet: 15 days left including today, 15 needed
    f = _outlook(regulation, [], START + dt.timedelta(days=15))
    assert (f.days_left, f.missing_days) == (15, 15)
    assert f.outlook is forecast.Outlook.AT_RISK


def test_out_of_reach_when_one_day_short(regulation: store.Regulation) -> None:
    f = _outlook(regulation, [], START + dt.timedelta(days=16))
    assert (f.days_left, f.missing_days) == (14, 15)
    assert f.outlook is forecast.Outlook.UNREACHABLE


def test_today_with_data_is_counted_and_not_left(regulation: store.Regulation) -> None:
    today = START + dt.timedelta(days=10)
    f = _outlook(regulation, [today], today)
    assert f.days_with_data == 1
    assert f.days_left == 19


def test_a_slow_sender_is_at_risk_before_being_out_of_reach(
    regulation: store.Regulation,
) -> None:
    days = [START + dt.timedelta(days=k) for k in range(0, 10, 3)]  # 4 days in 10
    f = _outlook(regulation, days, START + dt.timedelta(days=9))
    assert f.outlook is forecast.Outlook.AT_RISK


def test_the_worklist_lists_only_patients_at_risk_most_urgent_first(
    regulation: store.Regulation,
) -> None:
    today = START + dt.timedelta(days=16)
    streams = [
        situations.stream(situations.daily(START, 17), pec_id=1, patient_id=1),
        situations.stream([], pec_id=2, patient_id=2),
        situations.stream(
            [START + dt.timedelta(days=k) for k in (0, 4, 8, 12, 16)], pec_id=3, patient_id=3
        ),
    ]
    worklist = forecast.at_risk(regulation, streams, today)
    assert [f.patient_id for f in worklist] == [2, 3]
    assert worklist[0].outlook is forecast.Outlook.UNREACHABLE


def test_no_forecast_after_the_stop_or_before_the_start(regulation: store.Regulation) -> None:
    assert (
        forecast.forecast(regulation, [situations.stream([])], START - dt.timedelta(days=1)) == []
    )
