"""Observation.effective[x] at every precision FHIR R4 allows: one instant per reading, judged by
the plausible-instant window, refusals naming the element."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from telesurveillance.adapters.fhir import observations, outcome
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures

TABLE = measures.packaged()
#: 10:00 in Paris (winter time), 1 March 2026
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
TOLERANCE = dt.timedelta(minutes=5)
FLOOR = dt.date(2023, 7, 1)
WINDOW = instants.window(NOW, TOLERANCE, FLOOR)


def weight(**effective: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": "Patient/3"},
        **effective,
        "valueQuantity": {"value": 80, "system": "http://unitsofmeasure.org", "code": "kg"},
    }


def stored_at(resource: dict[str, Any], window: instants.Window = WINDOW) -> dt.datetime:
    (found,) = observations.parse(resource, TABLE, window)
    return found.instant


def refused(resource: dict[str, Any], window: instants.Window = WINDOW) -> outcome.Invalid:
    with pytest.raises(outcome.Invalid) as error:
        observations.parse(resource, TABLE, window)
    return error.value


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_a_date_is_stored_at_midnight_paris_time_of_that_day() -> None:
    assert stored_at(weight(effectiveDateTime="2026-01-14")) == utc("2026-01-13T23:00:00+00:00")
    assert stored_at(weight(effectiveDateTime="2025-07-14")) == utc("2025-07-13T22:00:00+00:00")


def test_a_time_to_the_minute_is_read_with_zero_seconds() -> None:
    at = stored_at(weight(effectiveDateTime="2026-01-14T10:30+01:00"))
    assert at == utc("2026-01-14T09:30:00+00:00")
    assert stored_at(weight(effectiveDateTime="2026-01-14T10:30Z")) == utc("2026-01-14T10:30Z")


def test_an_instant_keeps_its_milliseconds() -> None:
    at = stored_at(weight(effectiveInstant="2026-01-14T10:30:15.250+01:00"))
    assert at == utc("2026-01-14T09:30:15.250+00:00")


@pytest.mark.parametrize(
    ("period", "at"),
    [
        ({"start": "2026-01-14T08:00:00+01:00", "end": "2026-01-14T08:20:00+01:00"}, "07:20"),
        ({"start": "2026-01-14T08:00:00+01:00"}, "07:00"),
        ({"end": "2026-01-14T08:20+01:00"}, "07:20"),
    ],
    ids=["its end", "its start when it has no end", "an end to the minute"],
)
def test_a_period_is_stored_at_its_end_else_its_start(period: dict[str, str], at: str) -> None:
    assert stored_at(weight(effectivePeriod=period)) == utc(f"2026-01-14T{at}:00+00:00")


def test_a_period_of_days_is_stored_on_its_last_day() -> None:
    period = {"start": "2026-01-12", "end": "2026-01-14"}
    assert stored_at(weight(effectivePeriod=period)) == utc("2026-01-13T23:00:00+00:00")


def test_a_period_ending_before_it_starts_is_refused_at_its_end() -> None:
    period = {"start": "2026-01-14T08:00:00+01:00", "end": "2026-01-14T07:59:59+01:00"}
    error = refused(weight(effectivePeriod=period))
    assert error.expression == "Observation.effectivePeriod.end"
    assert "before it starts" in error.diagnostics


def test_a_period_ending_on_the_day_it_starts_at_a_time_is_accepted() -> None:
    period = {"start": "2026-01-14T08:00:00+01:00", "end": "2026-01-14"}
    assert stored_at(weight(effectivePeriod=period)) == utc("2026-01-13T23:00:00+00:00")
    period["end"] = "2026-01-13"
    assert refused(weight(effectivePeriod=period)).expression == "Observation.effectivePeriod.end"


def test_a_period_without_start_or_end_is_refused() -> None:
    error = refused(weight(effectivePeriod={"id": "p"}))
    assert (error.expression, error.code) == ("Observation.effectivePeriod", "required")


@pytest.mark.parametrize(("value", "given"), [("2026", "year"), ("2026-01", "month")])
def test_a_year_or_a_month_alone_is_refused_a_reading_counts_on_a_day(
    value: str, given: str
) -> None:
    error = refused(weight(effectiveDateTime=value))
    assert error.expression == "Observation.effectiveDateTime"
    assert f"gives only the {given}" in error.diagnostics
    period = refused(weight(effectivePeriod={"start": "2026-01-10", "end": value}))
    assert period.expression == "Observation.effectivePeriod.end"


def test_a_timing_is_refused() -> None:
    error = refused(weight(effectiveTiming={"event": ["2026-01-14T08:00:00+01:00"]}))
    assert (error.expression, error.code) == ("Observation.effectiveTiming", "not-supported")


def test_a_time_without_a_zone_is_refused() -> None:
    error = refused(weight(effectiveDateTime="2026-01-14T10:30:00"))
    assert error.expression == "Observation.effectiveDateTime"


def test_hours_without_minutes_are_refused() -> None:
    error = refused(weight(effectiveDateTime="2026-01-14T10+01:00"))
    assert error.expression == "Observation.effectiveDateTime"


# --- the plausible-instant window judges the resolved instant ---------------------------------


def test_today_in_paris_is_accepted_and_tomorrow_refused_as_after_today() -> None:
    assert stored_at(weight(effectiveDateTime="2026-03-01")) == utc("2026-02-28T23:00:00+00:00")
    error = refused(weight(effectiveDateTime="2026-03-02"))
    assert error.expression == "Observation.effectiveDateTime"
    assert error.diagnostics == (
        "2026-03-02 is after today (2026-03-01 in Paris): check the device's date"
    )


def test_near_midnight_the_next_day_is_accepted_only_within_the_clock_tolerance() -> None:
    """23:56 in Paris plus five minutes is tomorrow: a device clock a few minutes ahead may
    date its reading tomorrow; at 23:54, plus five minutes, it is still today."""
    late = instants.window(dt.datetime(2026, 3, 1, 22, 56, tzinfo=dt.UTC), TOLERANCE, FLOOR)
    assert stored_at(weight(effectiveDateTime="2026-03-02"), late)
    early = instants.window(dt.datetime(2026, 3, 1, 22, 54, tzinfo=dt.UTC), TOLERANCE, FLOOR)
    assert (
        "after today (2026-03-01"
        in refused(weight(effectiveDateTime="2026-03-02"), early).diagnostics
    )


def test_the_common_law_floor_day_is_accepted_and_the_day_before_refused() -> None:
    assert stored_at(weight(effectiveDateTime="2023-07-01")) == utc("2023-06-30T22:00:00+00:00")
    error = refused(weight(effectiveDateTime="2023-06-30"))
    assert "2023-06-30 is before 2023-07-01" in error.diagnostics


def test_a_period_is_judged_by_the_instant_it_resolves_to() -> None:
    future = {"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T09:05:01Z"}
    error = refused(weight(effectivePeriod=future))
    assert error.expression == "Observation.effectivePeriod.end"
    assert "in the future" in error.diagnostics
    old_start = {"start": "2023-06-30T23:00:00+02:00", "end": "2026-03-01T09:00:00Z"}
    assert stored_at(weight(effectivePeriod=old_start)) == NOW


def test_a_date_and_an_instant_of_one_day_count_on_the_same_paris_day() -> None:
    day = observations.parse(weight(effectiveDateTime="2026-01-14"), TABLE, WINDOW)[0]
    late = observations.parse(weight(effectiveDateTime="2026-01-14T23:59:59+01:00"), TABLE, WINDOW)[
        0
    ]
    assert day.day == late.day == dt.date(2026, 1, 14)
    assert reading.instant(day.ts).isoformat() == "2026-01-13T23:00:00+00:00"
