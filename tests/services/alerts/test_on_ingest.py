"""Evaluation on ingest over the real store: open, update, never twice (both backends)."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import evaluation, lifecycle, tables
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import evaluation as service
from telesurveillance.services.alerts import lifecycle as alerts_lifecycle
from tests.adapters.alerts import seed

R = reading.Reading
DAY = dt.date(2026, 2, 10)
NOW = seed.at(DAY, 12)


def test_a_weight_gain_opens_one_alert_with_its_readings(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine))
    first = seed.ts(seed.at(DAY - dt.timedelta(days=2)))
    second = seed.ts(seed.at(DAY))
    seed.ingest(engine, [R(pid, seed.POIDS, first, 80.0)], NOW)
    assert seed.alert_rows(engine) == []
    outcome = seed.ingest(engine, [R(pid, seed.POIDS, second, 82.5)], NOW)
    assert len(outcome.opened) == 1
    [row] = seed.alert_rows(engine)
    assert row.rule_id == "ic.poids.prise_3j"
    assert row.status == "open"
    assert json.loads(row.implicated) == [[1, first], [1, second]]
    assert row.first_ts == second


def test_no_alert_for_a_patient_without_an_active_prise_en_charge(engine: sa.Engine) -> None:
    pid = seed.patient(
        engine, seed.operateur(engine), "diabete", stopped_on=DAY - dt.timedelta(days=1)
    )
    seed.ingest(engine, [R(pid, seed.GLYCEMIE, seed.ts(NOW), 40.0)], NOW)
    assert seed.alert_rows(engine) == []


def test_only_the_rules_of_the_patients_indication_apply(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    heart = seed.patient(engine, op, "insuffisance_cardiaque")
    lungs = seed.patient(engine, op, "insuffisance_respiratoire")
    moment = seed.ts(NOW)
    seed.ingest(engine, [R(heart, seed.SPO2, moment, 80.0), R(lungs, seed.SPO2, moment, 80.0)], NOW)
    assert [(r.patient_id, r.rule_id) for r in seed.alert_rows(engine)] == [
        (lungs, "ir.spo2.basse")
    ]


def test_replaying_the_same_readings_creates_no_second_alert(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "diabete")
    batch = [R(pid, seed.GLYCEMIE, seed.ts(NOW), 60.0)]
    seed.ingest(engine, batch, NOW)
    # the listener may be handed the same readings again (a retried notification)
    store = evaluation.SqlAlerts(engine)
    again = service.on_ingest(store, ruleset.packaged(), batch, NOW)
    assert again.opened == ()
    assert again.updated == ()
    [row] = seed.alert_rows(engine)
    assert row.count == 1


def test_a_repeated_crossing_while_open_updates_the_alert(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "diabete")
    one, two = seed.ts(NOW), seed.ts(NOW + dt.timedelta(hours=3))
    seed.ingest(engine, [R(pid, seed.GLYCEMIE, one, 65.0)], NOW)
    later = NOW + dt.timedelta(hours=3)
    outcome = seed.ingest(engine, [R(pid, seed.GLYCEMIE, two, 62.0)], later)
    [row] = seed.alert_rows(engine)
    assert outcome.updated == (row.id,)
    assert (row.count, row.first_ts, row.last_ts, row.observed) == (2, one, two, 62.0)
    assert json.loads(row.implicated) == [[8, one], [8, two]]
    assert row.last_seen_at == reading.millis(later)


def test_a_crossing_after_closure_opens_a_new_alert(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "diabete")
    seed.ingest(engine, [R(pid, seed.GLYCEMIE, seed.ts(NOW), 65.0)], NOW)
    [row] = seed.alert_rows(engine)
    store = lifecycle.SqlLifecycle(engine)
    alerts_lifecycle.close(
        store, row.id, "dr-a", alerts_lifecycle.lifecycle.Role.MEDECIN,
        alerts_lifecycle.lifecycle.Decision.PATIENT_CALLED, NOW,
    )  # fmt: skip
    # replaying the closed episode's reading changes nothing …
    service.on_ingest(
        evaluation.SqlAlerts(engine), ruleset.packaged(),
        [R(pid, seed.GLYCEMIE, seed.ts(NOW), 65.0)], NOW,
    )  # fmt: skip
    assert len(seed.alert_rows(engine)) == 1
    # … a new crossing opens a new episode
    later = NOW + dt.timedelta(hours=5)
    seed.ingest(engine, [R(pid, seed.GLYCEMIE, seed.ts(later), 66.0)], later)
    rows = seed.alert_rows(engine)
    assert [(r.status, r.count) for r in rows] == [("closed", 1), ("open", 1)]


def test_crossings_of_one_batch_fold_into_one_alert(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "diabete")
    batch = [R(pid, seed.GLYCEMIE, seed.ts(NOW) + i * 60_000, 60.0 + i) for i in range(5)]
    outcome = seed.ingest(engine, batch, NOW)
    assert len(outcome.opened) == 1
    [row] = seed.alert_rows(engine)
    assert row.count == 5


def test_an_override_applies_on_ingest(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    alerts_lifecycle.set_override(
        lifecycle.SqlLifecycle(engine), ruleset.packaged(), pid, "ir.spo2.basse",
        "threshold", 85, "dr-b", "BPCO, cible 85-89 %", NOW,
    )  # fmt: skip
    seed.ingest(engine, [R(pid, seed.SPO2, seed.ts(NOW), 86.0)], NOW)
    assert seed.alert_rows(engine) == []
    seed.ingest(engine, [R(pid, seed.SPO2, seed.ts(NOW) + 1, 84.0)], NOW)
    assert [r.rule_id for r in seed.alert_rows(engine)] == ["ir.spo2.basse"]


def test_creating_an_alert_records_its_first_transition(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "diabete")
    seed.ingest(engine, [R(pid, seed.GLYCEMIE, seed.ts(NOW), 50.0)], NOW)
    t = tables.alert_transitions.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.from_status, t.to_status, t.actor)).all()
    # two rules crossed: < 70 and < 54
    assert sorted(rows) == [(None, "open", "system")] * 2


def test_the_alert_carries_the_operateur_of_the_prise_en_charge(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    pid = seed.patient(engine, op, "diabete")
    seed.ingest(engine, [R(pid, seed.GLYCEMIE, seed.ts(NOW), 60.0)], NOW)
    assert {r.operateur_id for r in seed.alert_rows(engine)} == {op}
