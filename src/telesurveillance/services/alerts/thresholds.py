"""A patient's thresholds page: the rules in force with their sources, each overridable number
with its indication default, its current override and its allowed range, and the history of the
overrides (who, when, old → new, why). Changing one goes through `lifecycle.set_override`
(range checked, compare-and-set on the value the user saw)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from telesurveillance.domain.alerts import bounds, rules, ruleset
from telesurveillance.domain.measures import table as measures
from telesurveillance.services.alerts import evaluation, lifecycle


@dataclass(frozen=True, slots=True)
class Number:
    """One overridable number of a rule for the patient."""

    field: bounds.Field
    override: float | None

    @property
    def value(self) -> float:
        """The value in force: the override, else the indication's default."""
        return self.field.default if self.override is None else self.override


@dataclass(frozen=True, slots=True)
class Line:
    """A rule in force for the patient: its default, its source, its numbers."""

    rule: rules.Rule
    """The indication's default rule (not overridden)."""
    numbers: tuple[Number, ...]
    unit: str


@dataclass(frozen=True, slots=True)
class Page:
    patient_id: int
    lines: tuple[Line, ...]
    history: tuple[lifecycle.OverrideEntry, ...]


def _line(default: rules.Rule, overrides: Mapping[str, float], table: measures.Table) -> Line:
    unit = "" if default.measure is None else table.by_name(default.measure).unit
    numbers = tuple(Number(f, overrides.get(f.name)) for f in bounds.fields(default, table))
    return Line(default, numbers, unit)


def page(
    rules_store: evaluation.Store,
    overrides_store: lifecycle.Store,
    sets: ruleset.RuleSets,
    table: measures.Table,
    patient_id: int,
    day: dt.date,
) -> Page:
    """The patient's rules on `day` (none without an active prise en charge), most severe
    first, and every override change ever made for it, newest first."""
    found = evaluation.patient_rules(rules_store, sets, patient_id, day)
    order = {s: i for i, s in enumerate(reversed(rules.Severity))}
    lines = [_line(sets.by_id[rule.id], overrides, table) for rule, overrides in found]
    lines.sort(key=lambda ln: (ln.rule.indication, order[ln.rule.severity], ln.rule.id))
    history = lifecycle.override_history(overrides_store, patient_id)
    return Page(patient_id, tuple(lines), tuple(reversed(history)))
