"""The demo population: deterministic, synthetic, every indication, the cases a demo needs."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from telesurveillance.domain.regulation import catalogue, store
from telesurveillance.services.demo import plan, series

TODAY = dt.date(2026, 11, 23)
NOW_MS = 1_795_420_800_000  # 2026-11-23 09:00 UTC


def test_the_same_seed_gives_the_same_population() -> None:
    assert plan.plan(7, 50, TODAY) == plan.plan(7, 50, TODAY)
    assert plan.plan(7, 50, TODAY) != plan.plan(8, 50, TODAY)


def test_every_indication_is_represented() -> None:
    people = plan.plan(1, 200, TODAY)
    assert {p.indication for p in people} == set(catalogue.Indication)


def test_exactly_one_patient_died_and_some_have_majorations_and_renewals() -> None:
    people = plan.plan(1, 200, TODAY)
    assert sum(p.died_on is not None for p in people) == 1
    assert any(p.majoration for p in people)
    assert any(rx.renewal for p in people for rx in p.prescriptions)


def test_monitoring_started_within_the_last_six_months() -> None:
    for p in plan.plan(1, 200, TODAY):
        assert TODAY - dt.timedelta(days=183) <= p.starts_on < TODAY


def test_each_habit_occurs() -> None:
    habits = Counter(p.habit for p in plan.plan(1, 200, TODAY))
    assert set(habits) == set(plan.Habit)


def _readings(person: plan.Person) -> list[series.reading.Reading]:
    midnight = series.midnights()
    return list(series.readings_of(person, 1, 1, TODAY, NOW_MS, midnight))


def test_a_sensor_sends_288_glucose_points_on_a_full_day() -> None:
    person = next(p for p in plan.plan(1, 200, TODAY) if p.cgm and p.habit.value == "regular")
    per_day = Counter(r.day for r in _readings(person) if r.kind == 9)
    assert max(per_day.values()) == 288


def test_a_stopping_patient_is_silent_for_the_last_ten_days() -> None:
    person = next(p for p in plan.plan(1, 200, TODAY) if p.habit.value == "stopping")
    last = max(r.day for r in _readings(person))
    assert (TODAY - last).days >= 10


def test_renal_patients_transmit_on_dialysis_days_only() -> None:
    person = next(
        p
        for p in plan.plan(1, 200, TODAY)
        if p.indication is catalogue.Indication.INSUFFISANCE_RENALE
    )
    assert {r.day.weekday() for r in _readings(person)} <= {0, 2, 4}


def test_no_reading_is_in_the_future_or_after_death() -> None:
    for person in plan.plan(1, 60, TODAY):
        for r in _readings(person):
            assert r.ts < NOW_MS
            if person.died_on is not None:
                assert r.day < person.died_on


def test_the_kinds_written_are_those_of_the_measurement_table() -> None:
    from telesurveillance.domain.measures import table

    series.check_kinds(table.packaged())


def test_the_papers_are_dated_from_the_regulation_data_and_the_demo_day() -> None:
    regulation = store.packaged()
    papers = plan.papers(regulation, TODAY)
    start = regulation.common_law_start()
    assert papers.ars_declared_on == start
    assert papers.certified_from == start
    assert papers.convention_signed_on == start
    assert papers.certified_until == TODAY + plan.CERTIFIED_FOR


def test_every_demo_patient_is_monitored_under_papers_in_order() -> None:
    papers = plan.papers(store.packaged(), TODAY)
    for p in plan.plan(1, 200, TODAY):
        assert papers.ars_declared_on <= p.starts_on
        assert papers.convention_signed_on <= p.starts_on
        assert papers.certified_from <= p.starts_on < papers.certified_until
