"""What the engine answers: per period, the lines due, every failing rule, and the basis read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from telesurveillance.domain.regulation import citation, timeline


class Forfait(StrEnum):
    OPERATEUR = "operateur"
    TECHNIQUE = "technique"


@dataclass(frozen=True, slots=True)
class Basis:
    """A regulatory value the verdict relied on: which parameter, in force since when, on what."""

    parameter: str
    since: dt.date
    cite: tuple[citation.Citation, ...]

    @property
    def to_confirm(self) -> bool:
        """As `timeline.Dated.to_confirm`: no official source, or a project choice in it."""
        statuses = {c.status for c in self.cite}
        if citation.Confirmation.INFERENCE in statuses:
            return True
        return all(s.to_confirm for s in statuses)

    @classmethod
    def of(cls, dated: timeline.Dated[Any]) -> Basis:
        return cls(dated.name, dated.since, dated.cite)


#: A value a reason is about (a day, a count, an amount, a code), for the explanations.
Fact = int | Decimal | dt.date | str | None


@dataclass(frozen=True, slots=True)
class Reason:
    """A rule that failed (blocking) or a point to review (note), with its wording and texts.
    `detail` is the plain machine-facing detail; `facts` are the same values, typed, from which
    `billing.explain` words the sentence in French or English."""

    rule: str
    text: str
    text_en: str
    cite: tuple[citation.Citation, ...]
    detail: str | None = None
    facts: tuple[tuple[str, Fact], ...] = ()

    def fact(self, name: str) -> Fact:
        return dict(self.facts).get(name)


@dataclass(frozen=True, slots=True)
class Line:
    """One forfait line: execution date = the period's first day; amounts in euros."""

    forfait: Forfait
    execution_date: dt.date
    amount: Decimal | None
    amo: Decimal | None
    rest: Decimal | None
    code: str | None = None
    coefficient: Decimal | None = None
    basis: tuple[Basis, ...] = ()


@dataclass(frozen=True, slots=True)
class PeriodVerdict:
    number: int
    start: dt.date
    last_day: dt.date
    days_with_data: int
    expected_days: int
    billable: bool
    lines: tuple[Line, ...]
    reasons: tuple[Reason, ...]
    notes: tuple[Reason, ...]
    basis: tuple[Basis, ...]
    #: fewer days with data than this is an insufficient period (share × expected days).
    minimum_days: Decimal | None = None
    #: issue 17: days of the period with another DMN's data only (not counted), and days
    #: counted whose data has no known sender (to review).
    days_elsewhere: int = 0
    days_unknown_source: int = 0

    def line(self, forfait: Forfait) -> Line | None:
        return next((ln for ln in self.lines if ln.forfait is forfait), None)


@dataclass(frozen=True, slots=True)
class Series:
    """Billable periods grouped for one invoice (≤ 6), split into paper sheets (≤ 4 lines)."""

    periods: tuple[int, ...]
    paper_sheets: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Judgement:
    as_of: dt.date
    periods: tuple[PeriodVerdict, ...]
    series: tuple[Series, ...]
