"""Two evaluators recording crossings of the same open alert at once (threads here; the worker
processes of `serve --workers` in production) lose none: each crossing is counted once."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import tables, write
from telesurveillance.domain.alerts import rules, ruleset
from telesurveillance.services.alerts import evaluation
from tests.adapters.alerts import seed

WRITERS = 6
ROUNDS = 5


def _found(patient_id: int, rule: rules.Rule, ts: int) -> evaluation.Found:
    crossing = rules.Crossing(rule.id, patient_id, ts, 84.0, ((seed.SPO2, ts),), "SpO2 84 %")
    return evaluation.Found(crossing, rule, None)


def test_concurrent_crossings_of_one_alert_are_all_counted(engine: sa.Engine) -> None:
    patient = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    rule = ruleset.packaged().by_id["ir.spo2.basse"]
    base = 1_767_225_600_000
    write.record(engine, [_found(patient, rule, base)], base)  # the alert is open
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for r in range(ROUNDS):
                barrier.wait()
                ts = base + 1000 * (1 + r * WRITERS + n)
                write.record(engine, [_found(patient, rule, ts)], ts)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        counts = conn.execute(sa.select(tables.alerts.c.count)).scalars().all()
    assert counts == [1 + WRITERS * ROUNDS]
