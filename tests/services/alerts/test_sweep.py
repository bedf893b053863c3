"""The no-data sweep: from the last-reading table, once per silence, never twice."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import evaluation
from telesurveillance.adapters.sql.alerts import lifecycle as sql_lifecycle
from telesurveillance.domain.alerts import lifecycle, ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import evaluation as service
from telesurveillance.services.alerts import lifecycle as alerts_lifecycle
from tests.adapters.alerts import seed

R = reading.Reading
DAY = dt.date(2026, 2, 10)
LAST = seed.at(DAY, 8)


def _sweep(engine: sa.Engine, now: dt.datetime) -> service.Recorded:
    return service.sweep(evaluation.SqlAlerts(engine), ruleset.packaged(), now)


def test_no_alert_before_72_hours_without_weight(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine))
    seed.ingest(engine, [R(pid, seed.POIDS, seed.ts(LAST), 80.0)], LAST)
    assert _sweep(engine, LAST + dt.timedelta(hours=72) - dt.timedelta(milliseconds=1)).opened == ()


def test_72_hours_without_weight_open_one_alert(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine))
    seed.ingest(engine, [R(pid, seed.POIDS, seed.ts(LAST), 80.0)], LAST)
    outcome = _sweep(engine, LAST + dt.timedelta(hours=72))
    assert len(outcome.opened) == 1
    [row] = seed.alert_rows(engine)
    assert (row.rule_id, row.first_ts, row.rule_kind) == (
        "ic.sans_donnees.poids",
        seed.ts(LAST),
        "no_data",
    )


def test_a_second_sweep_opens_nothing_even_after_closure(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine))
    seed.ingest(engine, [R(pid, seed.POIDS, seed.ts(LAST), 80.0)], LAST)
    _sweep(engine, LAST + dt.timedelta(hours=80))
    assert _sweep(engine, LAST + dt.timedelta(hours=90)).opened == ()
    [row] = seed.alert_rows(engine)
    alerts_lifecycle.close(
        sql_lifecycle.SqlLifecycle(engine), row.id, "dr", lifecycle.Role.MEDECIN,
        lifecycle.Decision.PATIENT_CALLED, LAST + dt.timedelta(hours=91),
    )  # fmt: skip
    assert _sweep(engine, LAST + dt.timedelta(hours=100)).opened == ()
    assert len(seed.alert_rows(engine)) == 1


def test_a_new_silence_after_new_data_updates_the_open_alert(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine))
    seed.ingest(engine, [R(pid, seed.POIDS, seed.ts(LAST), 80.0)], LAST)
    _sweep(engine, LAST + dt.timedelta(hours=80))
    again = LAST + dt.timedelta(hours=81)
    seed.ingest(engine, [R(pid, seed.POIDS, seed.ts(again), 80.0)], again)
    outcome = _sweep(engine, again + dt.timedelta(hours=73))
    [row] = seed.alert_rows(engine)
    assert outcome.updated == (row.id,)
    assert (row.count, row.last_ts) == (2, seed.ts(again))


def test_silence_since_the_start_of_monitoring_counts_from_paris_midnight(
    engine: sa.Engine,
) -> None:
    seed.patient(engine, seed.operateur(engine), starts_on=DAY)
    midnight = dt.datetime(2026, 2, 9, 23, tzinfo=dt.UTC)  # 00:00 Paris (winter time)
    assert _sweep(engine, midnight + dt.timedelta(hours=71)).opened == ()
    assert len(_sweep(engine, midnight + dt.timedelta(hours=72)).opened) == 1


def test_other_kinds_do_not_silence_a_weight_rule_but_do_an_any_rule(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    heart = seed.patient(engine, op)
    sugar = seed.patient(engine, op, "diabete")
    moment = LAST + dt.timedelta(hours=60)
    seed.ingest(
        engine,
        [R(heart, seed.SPO2, seed.ts(moment), 97.0), R(sugar, seed.SPO2, seed.ts(moment), 97.0)],
        moment,
    )
    seed.ingest(engine, [R(heart, seed.POIDS, seed.ts(LAST), 80.0)], LAST)
    _sweep(engine, LAST + dt.timedelta(hours=73))
    assert [(r.patient_id, r.rule_id) for r in seed.alert_rows(engine)] == [
        (heart, "ic.sans_donnees.poids")
    ]


def test_stopped_monitoring_is_not_swept(engine: sa.Engine) -> None:
    seed.patient(engine, seed.operateur(engine), stopped_on=DAY)
    assert _sweep(engine, LAST + dt.timedelta(days=30)).opened == ()


def test_an_override_of_the_silence_applies_to_the_sweep(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine))
    seed.ingest(engine, [R(pid, seed.POIDS, seed.ts(LAST), 80.0)], LAST)
    alerts_lifecycle.set_override(
        sql_lifecycle.SqlLifecycle(engine), ruleset.packaged(), pid, "ic.sans_donnees.poids",
        "hours", 24, "dr", "pesée quotidienne exigée", LAST,
    )  # fmt: skip
    assert len(_sweep(engine, LAST + dt.timedelta(hours=24)).opened) == 1
