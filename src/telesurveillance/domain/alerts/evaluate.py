"""Pure evaluation of one patient's rules against readings (no clock, no I/O).

Windows are real elapsed time in milliseconds (a 72-hour window is 72 hours across a change of
summer time), except `paris_days` windows, which are whole Paris calendar days (a day of 23 or
25 hours on the last Sundays of March and October). A window ending at a reading at `ts` is
`[ts - window, ts]`: a reading exactly `window` earlier counts, one a millisecond earlier not.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import rules
from telesurveillance.domain.measures import reading

#: (ts ms UTC, canonical value), oldest first
Point = tuple[int, float]

ON_INGEST = frozenset(
    {rules.RuleKind.THRESHOLD, rules.RuleKind.SCORE, rules.RuleKind.CHANGE, rules.RuleKind.COUNT}
)


@functools.lru_cache(maxsize=4096)
def paris_midnight_ms(day: dt.date) -> int:
    """The UTC instant (ms) at which the Paris day `day` begins."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=calendar.PARIS)
    return reading.millis(start)


def lookback(rule: rules.Rule, ts: int) -> int:
    """The first instant (inclusive) of the history `rule` needs for a reading at `ts`."""
    if rule.kind in (rules.RuleKind.THRESHOLD, rules.RuleKind.SCORE):
        return ts
    if rule.paris_days is not None:
        day = calendar.paris_day(reading.instant(ts))
        return paris_midnight_ms(day - dt.timedelta(days=rule.paris_days - 1))
    window = rule.window_ms
    return ts if window is None else ts - window


def _window(history: Sequence[Point], start: int, ts: int) -> list[Point]:
    return [p for p in history if start <= p[0] <= ts]


def _fmt(value: float) -> str:
    """A number as the French dashboard writes it (decimal comma)."""
    return f"{value:g}".replace(".", ",")


#: The comparison as a symbol: alert messages are read by the care team, in French.
_SYMBOL = {
    rules.Compare.LT: "<",
    rules.Compare.LE: "≤",
    rules.Compare.GT: ">",
    rules.Compare.GE: "≥",
}


def evaluate(
    rule: rules.Rule, patient_id: int, point: Point, history: Sequence[Point]
) -> rules.Crossing | None:
    """Does the reading `point` cross `rule`? `history` holds the patient's readings of the
    rule's kind from `lookback(rule, ts)` on (it may include `point` and later readings)."""
    if not rule.enabled or rule.kind not in ON_INGEST:
        return None
    ts, value = point
    kind = rule.kind_id if rule.kind_id is not None else 0
    if rule.kind in (rules.RuleKind.THRESHOLD, rules.RuleKind.SCORE):
        if not rule.compare.holds(value, rule.threshold):
            return None
        return rules.Crossing(
            rule.id, patient_id, ts, value, ((kind, ts),),
            f"{rule.label} : {_fmt(value)} (seuil {_SYMBOL[rule.compare]} {_fmt(rule.threshold)})",
        )  # fmt: skip
    window = _window(history, lookback(rule, ts), ts)
    if rule.kind is rules.RuleKind.CHANGE:
        return _change(rule, patient_id, kind, point, window)
    return _count(rule, patient_id, kind, point, window)


def _change(
    rule: rules.Rule, patient_id: int, kind: int, point: Point, window: list[Point]
) -> rules.Crossing | None:
    ts, value = point
    before = [p for p in window if p[0] < ts]
    if not before:
        return None
    if rule.direction is rules.Direction.RISE:
        base = min(before, key=lambda p: (p[1], p[0]))
        delta = value - base[1]
    else:
        base = max(before, key=lambda p: (p[1], p[0]))
        delta = base[1] - value
    if delta < rule.threshold:
        return None
    return rules.Crossing(
        rule.id, patient_id, ts, round(delta, 6), ((kind, base[0]), (kind, ts)),
        f"{rule.label} : {'hausse' if rule.direction is rules.Direction.RISE else 'baisse'} de "
        f"{_fmt(round(delta, 3))} (seuil ≥ {_fmt(rule.threshold)} "
        f"en {_fmt(rule.window_hours or 0)} h)",
    )  # fmt: skip


def _count(
    rule: rules.Rule, patient_id: int, kind: int, point: Point, window: list[Point]
) -> rules.Crossing | None:
    ts, value = point
    if not rule.compare.holds(value, rule.threshold) or len(window) < rule.min_readings:
        return None
    matching = [p for p in window if rule.compare.holds(p[1], rule.threshold)]
    if rule.count is not None and len(matching) < rule.count:
        return None
    share = len(matching) / len(window)
    if rule.min_share is not None and share < rule.min_share:
        return None
    observed = float(len(matching)) if rule.min_share is None else round(share, 6)
    return rules.Crossing(
        rule.id, patient_id, ts, observed, tuple((kind, p[0]) for p in matching[-20:]),
        f"{rule.label} : {len(matching)} mesures sur {len(window)} "
        f"{_SYMBOL[rule.compare]} {_fmt(rule.threshold)}",
    )  # fmt: skip


def no_data(
    rule: rules.Rule, patient_id: int, last_ts: int | None, since_ts: int, now_ms: int
) -> rules.Crossing | None:
    """A no-data rule: nothing since `last_ts` (or since the monitoring began, `since_ts`) for
    at least `hours`. The episode is the last reading's instant, so sweeps find it again."""
    if not rule.enabled or rule.kind is not rules.RuleKind.NO_DATA or rule.hours is None:
        return None
    reference = since_ts if last_ts is None else max(last_ts, since_ts)
    silent = now_ms - reference
    if silent < round(rule.hours * rules.HOUR_MS):
        return None
    implicated = () if last_ts is None or rule.kind_id is None else ((rule.kind_id, last_ts),)
    return rules.Crossing(
        rule.id, patient_id, reference, round(silent / rules.HOUR_MS, 3), implicated,
        f"{rule.label} : rien reçu depuis {silent // rules.HOUR_MS} h "
        f"(attendu : {rule.expected_rhythm})",
    )  # fmt: skip
