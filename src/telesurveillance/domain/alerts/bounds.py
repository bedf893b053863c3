"""Which values a care team may give a rule's number for one patient (an override).

A threshold on a reading must lie in the measurement's plausible range (`plausible` in
`domain/measures/measurements.yaml`: the values ingestion accepts at all), otherwise the rule
could never fire, or would fire on every reading. A change is a difference: more than 0 and at
most the width of that range. Windows and silences are positive and at most `MAX_HOURS` (30
days, the length of one billing period `periodes.duree_jours`: a project choice, no text sets
it), counts are whole numbers of readings, shares are in (0, 1]. A questionnaire score has no
range in the measurement table: it must be ≥ 0.

Every refusal names its `code` (the message key of the pages) and the numbers it checked, so
the JSON API (English text) and the dashboard (French first) say the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from telesurveillance.domain.alerts import rules
from telesurveillance.domain.measures import table as measures

#: The longest window or silence an override may set (hours): 30 days, one billing period.
MAX_HOURS = 720.0
MAX_DAYS = 30
#: The most readings a count rule may wait for (a reading every 15 min over 30 days is 2,880).
MAX_COUNT = 2880


@dataclass(frozen=True, slots=True)
class Range:
    """A closed range `[low, high]`; `open_low` excludes `low` (a positive number)."""

    low: float
    high: float
    open_low: bool = False
    integer: bool = False

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.high)

    def holds(self, value: float) -> bool:
        if self.integer and value != int(value):
            return False
        above = value > self.low if self.open_low else value >= self.low
        return above and value <= self.high


class OutOfBounds(ValueError):
    """An override value we refuse: `code` is the message key, `values` its placeholders."""

    def __init__(self, code: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values: dict[str, object] = values


@dataclass(frozen=True, slots=True)
class Field:
    """One overridable number of a rule, with the range its value must lie in."""

    name: str
    default: float
    allowed: Range
    unit: str = field(default="")


def fields(rule: rules.Rule, table: measures.Table) -> list[Field]:
    """The numbers of `rule` a care team may override, each with its allowed range (the
    fields the rule does not use are left out: a count rule by share has no `count`)."""
    found: list[Field] = []
    kind = None if rule.measure is None else table.by_name(rule.measure)
    unit = "" if kind is None else kind.unit
    if rule.kind is rules.RuleKind.CHANGE and kind is not None:
        found.append(Field("threshold", rule.threshold, Range(0, kind.high - kind.low, True), unit))
    elif rule.kind in (rules.RuleKind.THRESHOLD, rules.RuleKind.COUNT) and kind is not None:
        found.append(Field("threshold", rule.threshold, Range(kind.low, kind.high), unit))
    elif rule.kind is rules.RuleKind.SCORE:
        found.append(Field("threshold", rule.threshold, Range(0, math.inf)))
    if rule.window_hours is not None:
        found.append(Field("window_hours", rule.window_hours, Range(0, MAX_HOURS, True), "h"))
    if rule.paris_days is not None:
        found.append(Field("paris_days", rule.paris_days, Range(1, MAX_DAYS, integer=True)))
    if rule.count is not None:
        found.append(Field("count", rule.count, Range(1, MAX_COUNT, integer=True)))
    if rule.min_share is not None:
        found.append(Field("min_share", rule.min_share, Range(0, 1, True)))
    if rule.hours is not None:
        found.append(Field("hours", rule.hours, Range(0, MAX_HOURS, True), "h"))
    return found


def check(rule: rules.Rule, name: str, value: float, table: measures.Table) -> float:
    """`value` for the field `name` of `rule` when allowed (an integer field as a whole
    number); `OutOfBounds` naming the range otherwise."""
    if name == "enabled":
        if value not in (0, 1):
            raise OutOfBounds("override.error.enabled", "enabled is 0 or 1")
        return value
    if not math.isfinite(value):
        raise OutOfBounds("override.error.number", f"{name} must be a finite number")
    known = {f.name: f for f in fields(rule, table)}
    if name not in known:
        raise OutOfBounds(
            "override.error.field",
            f"{name!r} cannot be overridden on rule {rule.id} (allowed: {sorted(known)})",
            field=name,
        )
    allowed = known[name].allowed
    if allowed.holds(value):
        return value
    if allowed.integer and value != int(value):
        raise OutOfBounds("override.error.integer", f"{name} must be a whole number")
    if math.isinf(allowed.high):
        raise OutOfBounds(
            "override.error.at_least", f"{name} must be at least {allowed.low:g}", low=allowed.low
        )
    low_side = "more than" if allowed.open_low else "at least"
    raise OutOfBounds(
        "override.error.above" if allowed.open_low else "override.error.range",
        f"{name} must be {low_side} {allowed.low:g} and at most {allowed.high:g}"
        f"{' ' + known[name].unit if known[name].unit else ''} (plausible range)",
        low=allowed.low,
        high=allowed.high,
        unit=known[name].unit,
    )
