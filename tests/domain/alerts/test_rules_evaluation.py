"""Each rule kind on both sides of its threshold, at the edges of its window, across DST."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import evaluate, rules, ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures

H = rules.HOUR_MS
T0 = 1_700_000_000_000
SETS = ruleset.packaged()
SETS_TABLE = measures.packaged()


def rule(rule_id: str, **changes: object) -> rules.Rule:
    return dataclasses.replace(SETS.by_id[rule_id], **changes)  # type: ignore[arg-type]


def at_paris(y: int, m: int, d: int, hh: int, mm: int = 0) -> int:
    return reading.millis(dt.datetime(y, m, d, hh, mm, tzinfo=calendar.PARIS))


# --- threshold and score ----------------------------------------------------------------------


def test_no_hypoglycaemia_alert_at_70_mg_dl() -> None:
    assert evaluate.evaluate(rule("diab.hypo.niveau1"), 1, (T0, 70.0), []) is None


def test_hypoglycaemia_alert_just_below_70_mg_dl() -> None:
    found = evaluate.evaluate(rule("diab.hypo.niveau1"), 1, (T0, 69.9), [])
    assert found is not None
    assert found.implicated == ((8, T0),)
    assert found.observed == 69.9


def test_alert_messages_are_written_for_the_french_care_team() -> None:
    found = evaluate.evaluate(rule("diab.hypo.niveau1"), 1, (T0, 69.5), [])
    assert found is not None
    assert found.message == "Hypoglycémie de niveau 1 (< 70 mg/dL) : 69,5 (seuil < 70)"


def test_level_2_hypoglycaemia_below_54_but_not_at_54() -> None:
    assert evaluate.evaluate(rule("diab.hypo.niveau2"), 1, (T0, 54.0), []) is None
    assert evaluate.evaluate(rule("diab.hypo.niveau2"), 1, (T0, 53.9), []) is not None


def test_symptom_score_alerts_from_the_cut_off_on() -> None:
    score = rule("ic.symptomes.score")
    assert evaluate.evaluate(score, 1, (T0, 2.0), []) is None
    assert evaluate.evaluate(score, 1, (T0, 3.0), []) is not None


def test_a_disabled_rule_never_alerts() -> None:
    assert evaluate.evaluate(rule("diab.hypo.niveau2", enabled=False), 1, (T0, 20.0), []) is None


# --- change over a window ---------------------------------------------------------------------


def test_weight_gain_of_2_kg_in_3_days_alerts() -> None:
    gain = rule("ic.poids.prise_3j")
    history = [(T0 - 72 * H, 80.0), (T0, 82.0)]
    found = evaluate.evaluate(gain, 1, (T0, 82.0), history)
    assert found is not None
    assert found.implicated == ((1, T0 - 72 * H), (1, T0))


def test_no_alert_for_a_gain_just_under_2_kg() -> None:
    history = [(T0 - 24 * H, 80.0), (T0, 81.99)]
    assert evaluate.evaluate(rule("ic.poids.prise_3j"), 1, (T0, 81.99), history) is None


def test_a_reading_just_outside_the_window_does_not_count() -> None:
    history = [(T0 - 72 * H - 1, 80.0), (T0 - 10 * H, 81.0), (T0, 82.0)]
    assert evaluate.evaluate(rule("ic.poids.prise_3j"), 1, (T0, 82.0), history) is None


def test_the_gain_is_measured_from_the_lowest_weight_of_the_window() -> None:
    history = [(T0 - 60 * H, 81.0), (T0 - 30 * H, 79.5), (T0, 81.5)]
    found = evaluate.evaluate(rule("ic.poids.prise_3j"), 1, (T0, 81.5), history)
    assert found is not None
    assert found.observed == 2.0


def test_a_fall_rule_alerts_on_a_drop_not_on_a_rise() -> None:
    fall = rule("ir.spo2.baisse_24h")
    assert evaluate.evaluate(fall, 1, (T0, 91.0), [(T0 - H, 95.0), (T0, 91.0)]) is not None
    assert evaluate.evaluate(fall, 1, (T0, 92.0), [(T0 - H, 95.0), (T0, 92.0)]) is None
    assert evaluate.evaluate(fall, 1, (T0, 99.0), [(T0 - H, 95.0), (T0, 99.0)]) is None


def test_the_elapsed_window_is_72_real_hours_across_the_march_change() -> None:
    # Sunday 29 March 2026, 02:00 → 03:00 Paris: 72 h before 10:00 on the 31st is 09:00 on the 28th
    now = at_paris(2026, 3, 31, 10)
    assert evaluate.lookback(rule("ic.poids.prise_3j"), now) == at_paris(2026, 3, 28, 9)


def test_the_elapsed_window_is_72_real_hours_across_the_october_change() -> None:
    # Sunday 25 October 2026, 03:00 → 02:00 Paris: 72 h before 10:00 on the 27th is
    # 11:00 on the 24th
    now = at_paris(2026, 10, 27, 10)
    assert evaluate.lookback(rule("ic.poids.prise_3j"), now) == at_paris(2026, 10, 24, 11)


# --- count over a window ----------------------------------------------------------------------


def test_three_high_glucose_readings_in_a_week_alert_but_two_do_not() -> None:
    count = rule("dg.glycemie.hautes_7j")
    two = [(T0 - 100 * H, 130.0), (T0 - 50 * H, 110.0), (T0, 125.0)]
    three = [(T0 - 100 * H, 130.0), (T0 - 50 * H, 121.0), (T0, 125.0)]
    assert evaluate.evaluate(count, 1, (T0, 125.0), two) is None
    found = evaluate.evaluate(count, 1, (T0, 125.0), three)
    assert found is not None
    assert found.observed == 3


def test_a_count_reading_at_the_window_start_counts_and_one_before_does_not() -> None:
    count = rule("dg.glycemie.hautes_7j")
    inside = [(T0 - 168 * H, 130.0), (T0 - H, 130.0), (T0, 125.0)]
    outside = [(T0 - 168 * H - 1, 130.0), (T0 - H, 130.0), (T0, 125.0)]
    assert evaluate.evaluate(count, 1, (T0, 125.0), inside) is not None
    assert evaluate.evaluate(count, 1, (T0, 125.0), outside) is None


def test_a_count_rule_fires_only_on_a_crossing_reading() -> None:
    count = rule("dg.glycemie.hautes_7j")
    history = [(T0 - 3 * H, 130.0), (T0 - 2 * H, 130.0), (T0 - H, 130.0), (T0, 100.0)]
    assert evaluate.evaluate(count, 1, (T0, 100.0), history) is None


def _day_of_cgm(start: int, minutes: int, low: int) -> list[evaluate.Point]:
    points = [(start + i * 5 * 60_000, 120.0) for i in range(minutes // 5)]
    for i in range(low):
        points[-1 - i] = (points[-1 - i][0], 60.0)
    return points


def test_time_below_range_alerts_above_4_percent_of_the_paris_day() -> None:
    tbr = rule("diab.capteur.tbr70.jour")
    day = _day_of_cgm(at_paris(2026, 6, 10, 0), 24 * 60, 12)  # 12/288 = 4.17 %
    assert evaluate.evaluate(tbr, 1, day[-1], day) is not None


def test_time_below_range_of_4_percent_or_less_does_not_alert() -> None:
    tbr = rule("diab.capteur.tbr70.jour")
    day = _day_of_cgm(at_paris(2026, 6, 10, 0), 24 * 60, 11)  # 11/288 = 3.8 %
    assert evaluate.evaluate(tbr, 1, day[-1], day) is None


def test_a_paris_day_window_starts_at_paris_midnight_on_the_23_hour_day() -> None:
    tbr = rule("diab.capteur.tbr70.jour")
    last = at_paris(2026, 3, 29, 23, 55)
    assert evaluate.lookback(tbr, last) == at_paris(2026, 3, 29, 0)
    # the 23-hour day holds 276 five-minute readings: 12 low ones are 4.3 %
    day = _day_of_cgm(at_paris(2026, 3, 29, 0), 23 * 60, 12)
    before = [(at_paris(2026, 3, 28, 23, 50), 60.0)] * 5  # the evening before is not this day
    assert evaluate.evaluate(tbr, 1, day[-1], before + day) is not None
    assert evaluate.evaluate(tbr, 1, day[-1], before + day[:-12] + [day[-1]]) is None


def test_a_paris_day_window_covers_25_hours_on_the_october_day() -> None:
    tbr = rule("diab.capteur.tbr70.jour")
    last = at_paris(2026, 10, 25, 23, 55)
    assert last - evaluate.lookback(tbr, last) == 25 * H - 5 * 60_000


def test_too_few_sensor_readings_in_the_day_are_not_judged() -> None:
    tbr = rule("diab.capteur.tbr70.jour")
    day = _day_of_cgm(at_paris(2026, 6, 10, 0), 201 * 5, 100)
    assert evaluate.evaluate(tbr, 1, day[-1], day) is None


# --- no data ----------------------------------------------------------------------------------


def test_no_weight_for_72_hours_alerts_and_for_one_ms_less_does_not() -> None:
    silent = rule("ic.sans_donnees.poids")
    assert evaluate.no_data(silent, 1, T0, 0, T0 + 72 * H - 1) is None
    found = evaluate.no_data(silent, 1, T0, 0, T0 + 72 * H)
    assert found is not None
    assert found.ts == T0


def test_no_data_since_the_start_counts_from_the_start_of_monitoring() -> None:
    silent = rule("ic.sans_donnees.poids")
    found = evaluate.no_data(silent, 1, None, T0, T0 + 80 * H)
    assert found is not None
    assert found.ts == T0
    assert found.implicated == ()


# --- overrides and the rule files --------------------------------------------------------------


def test_an_override_changes_the_threshold_for_that_patient_only() -> None:
    default = rule("ir.spo2.basse")
    lowered = default.with_overrides({"threshold": 85})
    assert evaluate.evaluate(default, 1, (T0, 86.0), []) is not None
    assert evaluate.evaluate(lowered, 1, (T0, 86.0), []) is None
    assert evaluate.evaluate(lowered, 1, (T0, 84.0), []) is not None


def test_an_unknown_override_field_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be overridden"):
        rule("ir.spo2.basse").with_overrides({"severity": 1})


def test_every_packaged_rule_is_cited_or_marked_for_review() -> None:
    for r in SETS.by_id.values():
        assert (r.source.url and r.source.title) or (
            r.source.clinical_default and ruleset.REVIEW in r.source.clinical_default
        ), r.id


def test_every_indication_has_a_rule_set_with_a_no_data_rule() -> None:
    from telesurveillance.domain.regulation import catalogue

    for indication in catalogue.Indication:
        kinds = {r.kind for r in SETS.by_indication[indication.value]}
        assert rules.RuleKind.NO_DATA in kinds, indication


def test_a_rule_without_source_is_refused() -> None:
    text = """
indication: x
version: 1
rules:
  - {id: a, label: A, kind: threshold, measure: poids, compare: gt, threshold: 1, severity: low}
"""
    with pytest.raises(ruleset.RuleError, match="cite a `source`"):
        ruleset.parse({"x.yaml": text}, SETS_TABLE)


def test_a_rule_on_an_unknown_measurement_is_refused() -> None:
    text = """
indication: x
version: 1
rules:
  - {id: a, label: A, kind: threshold, measure: poid, compare: gt, threshold: 1,
     severity: low, clinical_default: to be reviewed by the team}
"""
    with pytest.raises(ruleset.RuleError, match="unknown measurement"):
        ruleset.parse({"x.yaml": text}, SETS_TABLE)
