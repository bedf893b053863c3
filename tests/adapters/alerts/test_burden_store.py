"""Alert-burden statistics from the store (both backends)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import lifecycle as alerts_lifecycle
from telesurveillance.domain.alerts import lifecycle
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import lifecycle as acting
from telesurveillance.services.alerts import stats
from tests.adapters.alerts import seed

NOW = seed.at(dt.date(2026, 1, 10), 12)


def test_statistics_per_operateur_indication_and_rule(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    patients = [seed.patient(engine, op, "diabete", starts_on=dt.date(2025, 12, 1)) for _ in "ab"]
    for i, pid in enumerate(patients):
        moment = seed.ts(NOW) + i
        seed.ingest(engine, [reading.Reading(pid, seed.GLYCEMIE, moment, 65.0)], NOW)
    store = alerts_lifecycle.SqlLifecycle(engine)
    first, second = (r.id for r in seed.alert_rows(engine))
    acting.acknowledge(store, first, "dr", lifecycle.Role.MEDECIN, NOW + dt.timedelta(minutes=4))
    acting.close(
        store, second, "dr", lifecycle.Role.MEDECIN, lifecycle.Decision.ARTEFACT,
        NOW + dt.timedelta(minutes=8),
    )  # fmt: skip
    [line] = stats.statistics(alerts_stats_store(engine), dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert (line.operateur_id, line.indication, line.rule_id) == (
        op,
        "diabete",
        "diab.hypo.niveau1",
    )
    assert (line.alerts, line.patient_months, line.per_patient_month) == (2, 2, 1)
    assert (line.closed, line.share_artefact, line.median_minutes_to_acknowledge) == (1, 1, 6)


def alerts_stats_store(engine: sa.Engine) -> stats.Store:
    from telesurveillance.adapters.sql.alerts import stats as sql

    return sql.SqlBurden(engine)
