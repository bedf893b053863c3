"""What a rule is: its kind, the measurement it reads, its threshold, window and source.

Rules are data (`data/<indication>.yaml`, loaded by `ruleset`). A default either cites where it
comes from (a HAS référentiel, a guideline, a published consensus, with its URL) or says
`clinical_default: to be reviewed by the team`; the loader refuses a rule that does neither.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

HOUR_MS = 3_600_000


class RuleKind(StrEnum):
    THRESHOLD = "threshold"
    """The reading itself crosses a value (SpO2 < 90 %)."""
    CHANGE = "change"
    """The reading differs from the lowest (rise) or highest (fall) one of the window."""
    COUNT = "count"
    """Enough readings of the window cross a value (a number, or a share of the readings)."""
    SCORE = "score"
    """A questionnaire's total score crosses a value."""
    NO_DATA = "no_data"
    """Nothing received for N hours (evaluated by the periodic sweep, not on ingest)."""


class Compare(StrEnum):
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"

    def holds(self, value: float, threshold: float) -> bool:
        if self is Compare.LT:
            return value < threshold
        if self is Compare.LE:
            return value <= threshold
        if self is Compare.GT:
            return value > threshold
        return value >= threshold


class Direction(StrEnum):
    RISE = "rise"
    FALL = "fall"


class Severity(StrEnum):
    """FHIR DetectedIssue.severity codes (http://hl7.org/fhir/detectedissue-severity)."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


#: Rule fields a care team may override for one patient (the only numbers that vary).
OVERRIDABLE = ("threshold", "window_hours", "paris_days", "count", "min_share", "hours", "enabled")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a default comes from; `clinical_default` when no published source backs it."""

    title: str | None = None
    url: str | None = None
    clinical_default: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of an indication. `kind_id` is the measurement kind's stored id (None: any)."""

    id: str
    indication: str
    label: str
    kind: RuleKind
    measure: str | None
    kind_id: int | None
    severity: Severity
    source: Source
    threshold: float = 0.0
    compare: Compare = Compare.GE
    direction: Direction = Direction.RISE
    #: elapsed window for change/count rules (real time, DST-proof)
    window_hours: float | None = None
    #: calendar window for count rules: the reading's Paris day and the days before it
    paris_days: int | None = None
    count: int | None = None
    min_share: float | None = None
    min_readings: int = 1
    #: no-data rules: hours without any reading of `measure` (any kind when None)
    hours: float | None = None
    expected_rhythm: str | None = None
    questionnaire: str | None = None
    enabled: bool = True

    @property
    def window_ms(self) -> int | None:
        return None if self.window_hours is None else round(self.window_hours * HOUR_MS)

    def with_overrides(self, values: dict[str, float]) -> Rule:
        """This rule with a patient's overridden numbers (unknown fields are refused)."""
        changes: dict[str, object] = {}
        for name, value in values.items():
            if name not in OVERRIDABLE:
                raise ValueError(f"{name!r} cannot be overridden (allowed: {OVERRIDABLE})")
            if name == "enabled":
                changes[name] = bool(value)
            elif name in ("paris_days", "count"):
                changes[name] = int(value)
            else:
                changes[name] = float(value)
        return dataclasses.replace(self, **changes) if changes else self  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Crossing:
    """A rule crossed by a patient's data: what an alert is opened or updated with.

    `ts` identifies the episode: the triggering reading's instant, or for a no-data rule the
    instant of the last reading before the silence (so a repeated sweep finds the same episode).
    """

    rule_id: str
    patient_id: int
    ts: int
    observed: float | None
    implicated: tuple[tuple[int, int], ...]
    message: str
