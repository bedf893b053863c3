"""The working state of one period's judgement: what was read, what failed, what to review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telesurveillance.domain import calendar
from telesurveillance.domain.billing import model, verdict
from telesurveillance.domain.regulation import store, timeline

T = TypeVar("T")


@dataclass
class PeriodContext:
    regulation: store.Regulation
    situation: model.Situation
    period: calendar.Period
    reasons: list[verdict.Reason] = field(default_factory=list)
    notes: list[verdict.Reason] = field(default_factory=list)
    basis: dict[str, verdict.Basis] = field(default_factory=dict)

    @property
    def day(self) -> dt.date:
        """The reference day of the period: its execution date, i.e. its first day."""
        return self.period.start

    def read(self, dated: timeline.Dated[T]) -> T:
        """Use a regulatory value and remember it as part of the verdict's basis."""
        self.basis[dated.name] = verdict.Basis.of(dated)
        return dated.value

    def param(self, name: str, tp: type[T]) -> T:
        return self.read(self.regulation.get(name, tp).at(self.day))

    def _reason(
        self, rule: str, detail: str | None, facts: dict[str, verdict.Fact]
    ) -> verdict.Reason:
        # A rule's wording explains a refusal even for a day before the rule's first version.
        dated = self.regulation.rule_text(rule, self.day)
        return verdict.Reason(
            rule,
            dated.value.texte,
            dated.value.text_en,
            dated.cite,
            detail,
            tuple(sorted(facts.items())),
        )

    def fail(self, rule: str, detail: str | None = None, **facts: verdict.Fact) -> None:
        """A blocking rule: the period is not billable. `facts` feed the explanations."""
        self.reasons.append(self._reason(rule, detail, facts))

    def note(self, rule: str, detail: str | None = None, **facts: verdict.Fact) -> None:
        """A point to review that does not block the period."""
        self.notes.append(self._reason(rule, detail, facts))

    def basis_list(self) -> tuple[verdict.Basis, ...]:
        return tuple(self.basis[k] for k in sorted(self.basis))

    def dated(self, name: str) -> timeline.Dated[Any] | None:
        return self.regulation.any(name).get(self.day)
