"""One bad clock never silences the no-data alert: a reading dated beyond now plus the clock
tolerance (stored before such readings were refused) is not a sign of life for the sweep."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import evaluation
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import evaluation as service
from tests.adapters.alerts import seed

R = reading.Reading
DAY = dt.date(2026, 2, 10)
LAST = seed.at(DAY, 8)
SWEPT = LAST + dt.timedelta(hours=72)  # the weight rule's silence is 72 hours
TOLERANCE = dt.timedelta(minutes=5)


def _sweep(engine: sa.Engine, now: dt.datetime) -> service.Recorded:
    return service.sweep(evaluation.SqlAlerts(engine), ruleset.packaged(), now, TOLERANCE)


def _weighed(engine: sa.Engine, *moments: dt.datetime) -> int:
    pid = seed.patient(engine, seed.operateur(engine))
    seed.ingest(engine, [R(pid, seed.POIDS, seed.ts(m), 80.0) for m in moments], LAST)
    return pid


def test_a_reading_dated_in_2099_does_not_silence_the_no_data_alert(engine: sa.Engine) -> None:
    _weighed(engine, LAST, dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    outcome = _sweep(engine, SWEPT)
    assert len(outcome.opened) == 1
    [row] = seed.alert_rows(engine)
    # the episode starts at the last plausible reading, not at the one from the future
    assert (row.rule_id, row.first_ts) == ("ic.sans_donnees.poids", seed.ts(LAST))


def test_a_patient_whose_only_reading_is_in_the_future_is_swept_as_silent(
    engine: sa.Engine,
) -> None:
    _weighed(engine, dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    assert len(_sweep(engine, SWEPT + dt.timedelta(days=60)).opened) == 1


def test_a_reading_up_to_the_clock_tolerance_ahead_is_a_sign_of_life(engine: sa.Engine) -> None:
    _weighed(engine, LAST, SWEPT + TOLERANCE)
    assert _sweep(engine, SWEPT).opened == ()


def test_a_reading_just_beyond_the_clock_tolerance_is_not(engine: sa.Engine) -> None:
    _weighed(engine, LAST, SWEPT + TOLERANCE + dt.timedelta(milliseconds=1))
    assert len(_sweep(engine, SWEPT).opened) == 1


def test_once_its_time_has_come_a_reading_counts_again(engine: sa.Engine) -> None:
    ahead = SWEPT + dt.timedelta(hours=2)
    _weighed(engine, LAST, ahead)
    assert _sweep(engine, ahead).opened == ()
