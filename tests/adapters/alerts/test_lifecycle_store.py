"""Compare-and-set transitions, concurrent acknowledgement, pre-filter, override history."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import lifecycle as sql_lifecycle
from telesurveillance.adapters.sql.alerts import tables
from telesurveillance.domain.alerts import lifecycle, ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.services.alerts import lifecycle as service
from tests.adapters.alerts import seed

NOW = seed.at(dt.date(2026, 2, 10), 12)
Role = lifecycle.Role
Decision = lifecycle.Decision


def _alert(engine: sa.Engine, dmn_id: int | None = None, op: int | None = None) -> int:
    op = op if op is not None else seed.operateur(engine, "Équipe IR")
    pid = seed.patient(engine, op, "insuffisance_respiratoire", dmn_id=dmn_id)
    seed.ingest(engine, [reading.Reading(pid, seed.SPO2, seed.ts(NOW), 80.0)], NOW)
    [row] = seed.alert_rows(engine)
    return int(row.id)


def _transitions(engine: sa.Engine) -> list[tuple[object, ...]]:
    t = tables.alert_transitions.c
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(t.from_status, t.to_status, t.actor, t.role, t.decision).order_by(t.id)
            )
        ]


def test_acknowledge_then_close_records_every_transition(engine: sa.Engine) -> None:
    alert_id = _alert(engine)
    store = sql_lifecycle.SqlLifecycle(engine)
    service.acknowledge(store, alert_id, "ide-1", Role.SOIGNANT, NOW)
    later = NOW + dt.timedelta(minutes=30)
    service.close(store, alert_id, "dr-1", Role.MEDECIN, Decision.PATIENT_CALLED, later)
    assert _transitions(engine) == [
        (None, "open", "system", "system", None),
        ("open", "acknowledged", "ide-1", "soignant", None),
        ("acknowledged", "closed", "dr-1", "medecin", "patient_called"),
    ]
    [row] = seed.alert_rows(engine)
    assert (row.status, row.decision, row.open_key) == ("closed", "patient_called", None)
    assert row.acknowledged_at == reading.millis(NOW)
    assert row.closed_at == reading.millis(later)


def test_acknowledging_twice_is_a_conflict(engine: sa.Engine) -> None:
    alert_id = _alert(engine)
    store = sql_lifecycle.SqlLifecycle(engine)
    service.acknowledge(store, alert_id, "ide-1", Role.SOIGNANT, NOW)
    with pytest.raises(lifecycle.Conflict, match="is acknowledged, not open"):
        service.acknowledge(store, alert_id, "dr-2", Role.MEDECIN, NOW)


def test_of_two_concurrent_acknowledgements_exactly_one_wins(engine: sa.Engine) -> None:
    alert_id = _alert(engine)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(actor: str) -> None:
        store = sql_lifecycle.SqlLifecycle(engine)  # its own connection from the pool
        barrier.wait()
        try:
            service.acknowledge(store, alert_id, actor, Role.MEDECIN, NOW)
            results[actor] = "won"
        except lifecycle.Conflict as conflict:
            results[actor] = str(conflict)

    threads = [threading.Thread(target=act, args=(name,)) for name in ("dr-a", "dr-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results.values())[-1] == "won"
    loser = sorted(results.values())[0]
    assert loser == f"alert {alert_id} is acknowledged, not open: another user changed it first"
    assert len([t for t in _transitions(engine) if t[1] == "acknowledged"]) == 1


def test_a_soignant_closes_only_with_a_cooperation_protocol(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    alert_id = _alert(engine, op=op)
    store = sql_lifecycle.SqlLifecycle(engine)
    with pytest.raises(lifecycle.Refused, match="protocole de coopération"):
        service.close(store, alert_id, "ide-1", Role.SOIGNANT, Decision.NO_ACTION, NOW)
    seed.protocol(engine, op, NOW.date())
    service.close(store, alert_id, "ide-1", Role.SOIGNANT, Decision.NO_ACTION, NOW)
    t = tables.alert_transitions.c
    with engine.connect() as conn:
        assert conn.execute(sa.select(t.cooperation).where(t.to_status == "closed")).scalar()


def test_a_medecins_closure_is_not_recorded_as_cooperation(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    alert_id = _alert(engine, op=op)
    seed.protocol(engine, op, NOW.date())
    store = sql_lifecycle.SqlLifecycle(engine)
    service.close(store, alert_id, "dr-1", Role.MEDECIN, Decision.NO_ACTION, NOW)
    t = tables.alert_transitions.c
    with engine.connect() as conn:
        assert not conn.execute(sa.select(t.cooperation).where(t.to_status == "closed")).scalar()


def test_a_protocol_of_another_operateur_or_task_does_not_delegate(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    alert_id = _alert(engine, op=op)
    seed.protocol(engine, seed.operateur(engine, "Autre équipe"), NOW.date())
    seed.protocol(engine, op, NOW.date(), tasks=("renouvellement",))
    store = sql_lifecycle.SqlLifecycle(engine)
    with pytest.raises(lifecycle.Refused):
        service.close(store, alert_id, "ide-1", Role.SOIGNANT, Decision.NO_ACTION, NOW)


def test_closing_a_closed_alert_is_a_conflict(engine: sa.Engine) -> None:
    alert_id = _alert(engine)
    store = sql_lifecycle.SqlLifecycle(engine)
    service.close(store, alert_id, "dr-1", Role.MEDECIN, Decision.REFERRED, NOW)
    with pytest.raises(lifecycle.Conflict):
        service.close(store, alert_id, "dr-2", Role.MEDECIN, Decision.NO_ACTION, NOW)


def test_an_unknown_alert_is_not_found(engine: sa.Engine) -> None:
    with pytest.raises(service.NotFound):
        service.acknowledge(sql_lifecycle.SqlLifecycle(engine), 999, "dr", Role.MEDECIN, NOW)


def test_the_exploitant_prefilters_where_the_convention_delegates_it(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    alert_id = _alert(engine, seed.dmn_with_convention(engine, op, True), op)
    store = sql_lifecycle.SqlLifecycle(engine)
    service.prefilter(store, alert_id, "ex-ops", Role.EXPLOITANT, lifecycle.Verdict.ARTEFACT, NOW)
    p = tables.alert_prefilters.c
    with engine.connect() as conn:
        assert conn.execute(sa.select(p.verdict, p.actor)).one() == ("artefact", "ex-ops")
    # the verdict is not a medical decision: the alert is still open
    [row] = seed.alert_rows(engine)
    assert row.status == "open"
    with pytest.raises(lifecycle.Conflict):
        service.prefilter(
            store, alert_id, "ex-ops", Role.EXPLOITANT, lifecycle.Verdict.NOT_ARTEFACT, NOW
        )


def test_no_prefilter_without_the_delegation(engine: sa.Engine) -> None:
    op = seed.operateur(engine)
    alert_id = _alert(engine, seed.dmn_with_convention(engine, op, False), op)
    store = sql_lifecycle.SqlLifecycle(engine)
    with pytest.raises(lifecycle.Refused, match="convention"):
        service.prefilter(
            store, alert_id, "ex-ops", Role.EXPLOITANT, lifecycle.Verdict.ARTEFACT, NOW
        )


def test_overrides_keep_who_when_why_and_the_old_value(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    store = sql_lifecycle.SqlLifecycle(engine)
    sets = ruleset.packaged()
    service.set_override(store, sets, pid, "ir.spo2.basse", "threshold", 85, "dr-a", "BPCO", NOW)
    later = NOW + dt.timedelta(days=3)
    service.set_override(store, sets, pid, "ir.spo2.basse", "threshold", 86, "dr-b", "revu", later)
    service.set_override(store, sets, pid, "ir.spo2.basse", "threshold", None, "dr-a", "fin", later)
    history = store.override_history(pid)
    assert [(h.old_value, h.new_value, h.actor, h.reason) for h in history] == [
        (None, 85.0, "dr-a", "BPCO"),
        (85.0, 86.0, "dr-b", "revu"),
        (86.0, None, "dr-a", "fin"),
    ]
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.alert_overrides)).all() == []


def test_an_override_needs_a_reason_and_a_known_field(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    store = sql_lifecycle.SqlLifecycle(engine)
    sets = ruleset.packaged()
    with pytest.raises(ValueError, match="reason"):
        service.set_override(store, sets, pid, "ir.spo2.basse", "threshold", 85, "dr", " ", NOW)
    with pytest.raises(ValueError, match="cannot be overridden"):
        service.set_override(store, sets, pid, "ir.spo2.basse", "label", 1, "dr", "x", NOW)
    with pytest.raises(service.NotFound):
        service.set_override(store, sets, pid, "nope", "threshold", 1, "dr", "x", NOW)
