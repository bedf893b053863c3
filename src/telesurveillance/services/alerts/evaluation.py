"""Alert evaluation: on ingest for the patients whose readings just arrived, and the no-data sweep.

Given ports, not the database: `Store` is implemented by `adapters.sql.alerts.evaluation`. Which
rules apply
to a patient is decided by the indications of its active prises en charge, with the patient's
overrides applied; the domain (`domain.alerts.evaluate`) judges; the store opens a new alert or
updates the open one (a repeated crossing while open is not a new alert), idempotently.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import evaluate, rules, ruleset
from telesurveillance.domain.measures import instants, reading


@dataclass(frozen=True, slots=True)
class Context:
    """What decides a patient's rules: its active indications (→ opérateur) and overrides."""

    operateurs: Mapping[str, int | None]
    overrides: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: the first day of monitoring per indication (no-data rules count from it)
    starts: Mapping[str, dt.date] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Found:
    """A crossing with what the alert row needs besides it."""

    crossing: rules.Crossing
    rule: rules.Rule
    operateur_id: int | None


@dataclass(frozen=True, slots=True)
class Recorded:
    opened: tuple[int, ...] = ()
    updated: tuple[int, ...] = ()
    unchanged: int = 0


class Store(Protocol):
    def contexts(self, patient_ids: set[int], day: dt.date) -> dict[int, Context]: ...

    def histories(
        self, wanted: Sequence[tuple[int, int, int, int]]
    ) -> dict[tuple[int, int], list[evaluate.Point]]:
        """For each `(patient_id, kind, start, end)`: the readings of that kind with
        `start <= ts <= end`, oldest first (missing key: none)."""
        ...

    def record(self, found: Sequence[Found], now_ms: int) -> Recorded: ...


class SweepStore(Protocol):
    def silent_candidates(
        self, day: dt.date, indications: Sequence[str], horizon_ms: int
    ) -> tuple[dict[int, Context], dict[int, dict[int, int]]]:
        """Active patients of `indications` and their last reading per kind at or before
        `horizon_ms` (patient → kind → ts), read from `last_readings`; only a marker beyond
        the horizon (a reading dated in the future) is looked up again in the readings."""
        ...

    def record_no_data(self, found: Sequence[Found], now_ms: int) -> Recorded: ...


def effective_rules(sets: ruleset.RuleSets, context: Context) -> list[tuple[rules.Rule, str]]:
    """The patient's rules with its overrides, each with the indication it comes from."""
    out = []
    seen: set[str] = set()
    for indication in sorted(context.operateurs):
        for rule in sets.by_indication.get(indication, ()):
            if rule.id in seen:
                continue
            seen.add(rule.id)
            out.append((rule.with_overrides(dict(context.overrides.get(rule.id, {}))), indication))
    return out


def patient_rules(
    store: Store, sets: ruleset.RuleSets, patient_id: int, day: dt.date
) -> list[tuple[rules.Rule, Mapping[str, float]]]:
    """The rules in force for one patient on `day` (its overrides applied), each with the
    overrides it carries; none when the patient has no active prise en charge that day."""
    context = store.contexts({patient_id}, day).get(patient_id)
    if context is None:
        return []
    return [
        (rule, dict(context.overrides.get(rule.id, {})))
        for rule, _ in effective_rules(sets, context)
    ]


def on_ingest(
    store: Store, sets: ruleset.RuleSets, new: Sequence[reading.Reading], now: dt.datetime
) -> Recorded:
    """Evaluate the rules of the patients of `new` (readings just committed) against them and
    record the alerts. The durable path (`services.alerts.evaluation.pending`) also settles the
    outbox."""
    found = judge(store, sets, new, now)
    return store.record(found, reading.millis(now)) if found else Recorded()


def judge(
    store: Store, sets: ruleset.RuleSets, new: Sequence[reading.Reading], now: dt.datetime
) -> list[Found]:
    """The crossings of `new` (stored readings) under their patients' rules; nothing written."""
    if not new:
        return []
    by_patient: dict[int, dict[int, list[reading.Reading]]] = defaultdict(lambda: defaultdict(list))
    for r in new:
        by_patient[r.patient_id][r.kind].append(r)
    # Rules follow the prises en charge active on the readings' Paris day of arrival.
    contexts = store.contexts(set(by_patient), _paris_day(now))
    plans: list[tuple[int, int, list[reading.Reading], list[tuple[rules.Rule, str]]]] = []
    # patients without overrides share their indications' rules: judge which apply once
    shared: dict[tuple[str, ...], dict[int, list[tuple[rules.Rule, str]]]] = {}
    for patient_id, kinds in by_patient.items():
        context = contexts.get(patient_id)
        if context is None:
            continue
        key = tuple(sorted(context.operateurs))
        per_kind = None if context.overrides else shared.get(key)
        if per_kind is None:
            per_kind = _on_ingest_rules(sets, context)
            if not context.overrides:
                shared[key] = per_kind
        for kind, readings in kinds.items():
            applicable = per_kind.get(kind)
            if applicable:
                plans.append((patient_id, kind, sorted(readings), applicable))
    # one read of every window the batch needs
    wanted = []
    for patient_id, kind, readings, applicable in plans:
        windowed = [rule for rule, _ in applicable if rule.kind not in _POINT]
        if windowed:
            start = min(evaluate.lookback(rule, r.ts) for rule in windowed for r in readings)
            wanted.append((patient_id, kind, start, readings[-1].ts))
    history = store.histories(wanted) if wanted else {}
    found: list[Found] = []
    for patient_id, kind, readings, applicable in plans:
        past = history.get((patient_id, kind), [])
        operateurs = contexts[patient_id].operateurs
        for r in readings:
            for rule, indication in applicable:
                crossing = evaluate.evaluate(rule, patient_id, (r.ts, r.value), past)
                if crossing is not None:
                    found.append(Found(crossing, rule, operateurs.get(indication)))
    return found


_POINT = frozenset({rules.RuleKind.THRESHOLD, rules.RuleKind.SCORE})


def _on_ingest_rules(
    sets: ruleset.RuleSets, context: Context
) -> dict[int, list[tuple[rules.Rule, str]]]:
    per_kind: dict[int, list[tuple[rules.Rule, str]]] = defaultdict(list)
    for rule, indication in effective_rules(sets, context):
        if rule.enabled and rule.kind in evaluate.ON_INGEST and rule.kind_id is not None:
            per_kind[rule.kind_id].append((rule, indication))
    return per_kind


def _paris_day(now: dt.datetime) -> dt.date:
    return calendar.paris_day(now)


def sweep(
    store: SweepStore,
    sets: ruleset.RuleSets,
    now: dt.datetime,
    tolerance: dt.timedelta = instants.DEFAULT_TOLERANCE,
) -> Recorded:
    """Open no-data alerts: one read of the last-reading table for every active patient whose
    indication has a no-data rule, judged in Python, new episodes written in bulk.

    A reading dated beyond `now` plus the clock `tolerance` (a device with a wrong clock, kept
    from before such readings were refused) is not a sign of life: the sweep reads the last
    reading at or before that horizon, so one bad clock never silences the alert."""
    no_data = {
        indication: [r for r in rs if r.kind is rules.RuleKind.NO_DATA]
        for indication, rs in sets.by_indication.items()
    }
    indications = sorted(i for i, rs in no_data.items() if rs)
    today = _paris_day(now)
    now_ms = reading.millis(now)
    horizon = reading.millis(now + tolerance)
    contexts, lasts = store.silent_candidates(today, indications, horizon)
    found: list[Found] = []
    for patient_id, context in contexts.items():
        last = {k: ts for k, ts in lasts.get(patient_id, {}).items() if ts <= horizon}
        latest = max(last.values(), default=None)
        for indication, operateur_id in context.operateurs.items():
            since = evaluate.paris_midnight_ms(context.starts.get(indication, today))
            for default in no_data.get(indication, ()):
                overrides = context.overrides.get(default.id)
                rule = default.with_overrides(dict(overrides)) if overrides else default
                last_ts = latest if rule.kind_id is None else last.get(rule.kind_id)
                crossing = evaluate.no_data(rule, patient_id, last_ts, since, now_ms)
                if crossing is not None:
                    found.append(Found(crossing, rule, operateur_id))
    return store.record_no_data(found, now_ms) if found else Recorded()
