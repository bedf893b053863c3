"""A patient's threshold overrides: checked against the rule's plausible range, written by
compare-and-set on the value the user saw, and applied by the evaluation from then on — on both
sides of the boundary (both backends)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import evaluation, lifecycle
from telesurveillance.domain.alerts import bounds, ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services.alerts import lifecycle as acting
from telesurveillance.services.alerts import thresholds
from tests.adapters.alerts import seed

R = reading.Reading
DAY = dt.date(2026, 2, 10)
NOW = seed.at(DAY, 12)
RULE = "ir.spo2.basse"  # SpO2 < 88 % by default


def _override(engine: sa.Engine, pid: int, value: float | None, **kw: object) -> None:
    acting.set_override(
        lifecycle.SqlLifecycle(engine), ruleset.packaged(), pid, RULE, "threshold", value,
        "dr-b", "BPCO, cible 85-89 %", NOW, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def _alerted(engine: sa.Engine, pid: int, value: float, offset: int) -> bool:
    before = len(seed.alert_rows(engine))
    seed.ingest(engine, [R(pid, seed.SPO2, seed.ts(NOW) + offset, value)], NOW)
    rows = seed.alert_rows(engine)
    return len(rows) > before or any(r.count > 1 for r in rows)


def test_a_reading_alerting_under_the_default_does_not_under_a_lowered_threshold(
    engine: sa.Engine,
) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    _override(engine, pid, 85)
    assert not _alerted(engine, pid, 87.0, 0)  # < 88 (default) but not < 85
    assert not _alerted(engine, pid, 85.0, 1)  # on the boundary: lt 85 does not hold
    assert _alerted(engine, pid, 84.9, 2)  # just below the new threshold


def test_a_reading_silent_under_the_default_alerts_under_a_raised_threshold(
    engine: sa.Engine,
) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    assert not _alerted(engine, pid, 89.0, 0)  # not < 88
    _override(engine, pid, 90)
    assert not _alerted(engine, pid, 90.0, 1)  # on the boundary
    assert _alerted(engine, pid, 89.9, 2)


def test_after_a_reset_the_default_applies_again(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    _override(engine, pid, 85)
    _override(engine, pid, None, expected=acting.Expected(85.0))
    assert not _alerted(engine, pid, 88.0, 0)
    assert _alerted(engine, pid, 87.9, 1)


@pytest.mark.parametrize(
    ("value", "allowed"), [(29.9, False), (30.0, True), (100.0, True), (100.1, False)]
)
def test_a_threshold_must_lie_in_the_plausible_range_of_the_measurement(
    engine: sa.Engine, value: float, allowed: bool
) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    if allowed:
        _override(engine, pid, value)
        return
    with pytest.raises(bounds.OutOfBounds, match="plausible") as refused:
        _override(engine, pid, value)
    assert refused.value.code == "override.error.range"
    assert lifecycle.SqlLifecycle(engine).override_history(pid) == []


def test_an_override_written_from_a_stale_value_is_a_conflict(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    _override(engine, pid, 85, expected=acting.Expected(None))
    # a second user still saw the default
    with pytest.raises(acting.OverrideConflict, match="85, not the default"):
        _override(engine, pid, 86, expected=acting.Expected(None))
    _override(engine, pid, 86, expected=acting.Expected(85.0))
    history = lifecycle.SqlLifecycle(engine).override_history(pid)
    assert [(h.old_value, h.new_value) for h in history] == [(None, 85.0), (85.0, 86.0)]


def test_the_page_shows_the_default_the_override_and_the_history(engine: sa.Engine) -> None:
    pid = seed.patient(engine, seed.operateur(engine), "insuffisance_respiratoire")
    _override(engine, pid, 85)
    page = thresholds.page(
        evaluation.SqlAlerts(engine),
        lifecycle.SqlLifecycle(engine), ruleset.packaged(), measures.packaged(), pid, DAY,
    )  # fmt: skip
    [line] = [ln for ln in page.lines if ln.rule.id == RULE]
    [number] = line.numbers
    assert (number.field.default, number.override, number.value) == (88.0, 85.0, 85.0)
    assert line.rule.source.url
    assert [(h.rule_id, h.new_value, h.actor) for h in page.history] == [(RULE, 85.0, "dr-b")]
