"""The working state of one period's judgement: what was read, what failed, what to review.

Every period of every stream asks the regulation the same few questions ("the value of X on
day D"), and a run judges many periods starting on the same days. `Lookups` answers each
question once per regulation and keeps one `Basis` per dated value, one sorted basis tuple per
set of values read, and one wording per rule and day: the rules still read the regulation
through the context, as data, but a run no longer re-derives what it already knows.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telesurveillance.domain import calendar
from telesurveillance.domain.billing import model, verdict
from telesurveillance.domain.regulation import records, store, timeline

T = TypeVar("T")

#: Entries a `Lookups` keeps before starting afresh (a run asks for a few hundred days × the
#: few dozen parameters the rules read; a long-lived server never grows without bound).
KEPT = 200_000


class Lookups:
    """What one regulation answers, remembered: the regulation is immutable, so each answer is
    computed once (`for_regulation` gives the one shared by every judgement of a regulation)."""

    def __init__(self, regulation: store.Regulation) -> None:
        self.regulation = regulation
        self._dated: dict[tuple[str, dt.date], timeline.Dated[Any] | None] = {}
        #: id of a dated value → (that value, its basis): the value is kept so its id stays its own.
        self._basis: dict[int, tuple[timeline.Dated[Any], verdict.Basis]] = {}
        #: ids of the bases read, in reading order → (those bases, sorted by parameter).
        self._lists: dict[tuple[int, ...], tuple[tuple[verdict.Basis, ...], ...]] = {}
        self._texts: dict[tuple[str, dt.date], timeline.Dated[records.RuleText]] = {}
        self._recorded: dict[tuple[Any, ...], Recorded] = {}
        self._lines: dict[tuple[int, int], tuple[Any, Any, tuple[verdict.Line, ...]]] = {}

    def recorded(self, key: tuple[Any, ...]) -> Recorded | None:
        return self._recorded.get(key)

    def record(self, key: tuple[Any, ...], found: Recorded) -> None:
        self._keep(self._recorded)[key] = found

    def lines(
        self, made: Recorded, basis: tuple[verdict.Basis, ...], build: Any
    ) -> tuple[verdict.Line, ...]:
        """The lines `build(made.value, basis)` makes, one tuple for the same pricing and basis
        (so the ledger converts each distinct line once)."""
        key = (id(made), id(basis))
        kept = self._lines.get(key)
        if kept is not None and kept[0] is made and kept[1] is basis:
            return kept[2]
        lines: tuple[verdict.Line, ...] = build(made.value, basis)
        self._keep(self._lines)[key] = (made, basis, lines)
        return lines

    def dated(self, name: str, day: dt.date) -> timeline.Dated[Any] | None:
        """The value of `name` in force on `day`, or None (as `Timeline.get`)."""
        key = (name, day)
        try:
            return self._dated[key]
        except KeyError:
            found = self.regulation.any(name).get(day)
            self._keep(self._dated)[key] = found
            return found

    def at(self, name: str, tp: type[T], day: dt.date) -> timeline.Dated[T]:
        """The value of `name` (checked to hold `tp`) on `day`; `NotInForce` when none."""
        self.regulation.get(name, tp)
        found = self.dated(name, day)
        if found is None:
            raise timeline.NotInForce(name, day)
        return found

    def basis(self, dated: timeline.Dated[Any]) -> verdict.Basis:
        """The one `Basis` of a dated value (`Basis.of`, built once)."""
        kept = self._basis.get(id(dated))
        if kept is not None and kept[0] is dated:
            return kept[1]
        made = verdict.Basis.of(dated)
        self._keep(self._basis)[id(dated)] = (dated, made)
        return made

    def basis_list(self, read: dict[str, verdict.Basis]) -> tuple[verdict.Basis, ...]:
        """The bases read, sorted by parameter name; the same tuple for the same reading."""
        values = tuple(read.values())
        key = tuple(map(id, values))
        kept = self._lists.get(key)
        if kept is not None and kept[0] == values:
            return kept[1]
        made = tuple(read[k] for k in sorted(read))
        self._keep(self._lists)[key] = (values, made)
        return made

    def rule_text(self, rule: str, day: dt.date) -> timeline.Dated[records.RuleText]:
        key = (rule, day)
        found = self._texts.get(key)
        if found is None:
            found = self._keep(self._texts)[key] = self.regulation.rule_text(rule, day)
        return found

    @staticmethod
    def _keep(memo: dict[Any, Any]) -> dict[Any, Any]:
        if len(memo) >= KEPT:
            memo.clear()
        return memo


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a rule did once for a key: its result, the values it read, its reasons and notes,
    and the parameter it found not in force (re-raised on each replay)."""

    value: Any
    basis: tuple[tuple[str, verdict.Basis], ...]
    reasons: tuple[verdict.Reason, ...]
    notes: tuple[verdict.Reason, ...]
    missing: tuple[str, dt.date] | None = None


_LOOKUPS: weakref.WeakKeyDictionary[store.Regulation, Lookups] = weakref.WeakKeyDictionary()


def for_regulation(regulation: store.Regulation) -> Lookups:
    """The `Lookups` of `regulation`, kept as long as the regulation is."""
    found = _LOOKUPS.get(regulation)
    if found is None:
        found = _LOOKUPS[regulation] = Lookups(regulation)
    return found


@dataclass
class PeriodContext:
    regulation: store.Regulation
    situation: model.Situation
    period: calendar.Period
    reasons: list[verdict.Reason] = field(default_factory=list)
    notes: list[verdict.Reason] = field(default_factory=list)
    basis: dict[str, verdict.Basis] = field(default_factory=dict)
    lookups: Lookups | None = None
    #: The reference day of the period: its execution date, i.e. its first day.
    day: dt.date = field(init=False)

    def __post_init__(self) -> None:
        self.day = self.period.start
        if self.lookups is None:
            self.lookups = for_regulation(self.regulation)
        self._lookups: Lookups = self.lookups

    def read(self, dated: timeline.Dated[T]) -> T:
        """Use a regulatory value and remember it as part of the verdict's basis."""
        self.basis[dated.name] = self._lookups.basis(dated)
        return dated.value

    def param(self, name: str, tp: type[T]) -> T:
        dated = self._lookups.at(name, tp, self.day)
        self.basis[name] = self._lookups.basis(dated)
        return dated.value

    def _reason(
        self, rule: str, detail: str | None, facts: dict[str, verdict.Fact]
    ) -> verdict.Reason:
        # A rule's wording explains a refusal even for a day before the rule's first version.
        dated = self._lookups.rule_text(rule, self.day)
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
        return self._lookups.basis_list(self.basis)

    def replayed(
        self, key: tuple[Any, ...], rule: Callable[..., T], *args: Any
    ) -> tuple[T, Recorded]:
        """`rule(ctx, *args)`, run once per `key` and replayed after: its reads, reasons and
        notes land in this context as if it had run here. `key` must hold everything the rule
        reads besides the regulation (the tests pin the verdicts: `test_engine_golden`). A rule
        reads no state of the context but the period, the situation and the regulation."""
        found = self._lookups.recorded(key)
        if found is None:
            probe = PeriodContext(
                self.regulation, self.situation, self.period, lookups=self.lookups
            )
            value: Any = None
            missing = None
            try:
                value = rule(probe, *args)
            except timeline.NotInForce as absent:
                missing = (absent.name, absent.day)
            found = Recorded(
                value, tuple(probe.basis.items()), tuple(probe.reasons), tuple(probe.notes), missing
            )
            self._lookups.record(key, found)
        self.basis.update(found.basis)
        self.reasons.extend(found.reasons)
        self.notes.extend(found.notes)
        if found.missing is not None:
            raise timeline.NotInForce(*found.missing)
        return found.value, found

    def dated(self, name: str) -> timeline.Dated[Any] | None:
        return self._lookups.dated(name, self.day)

    def dated_of(self, name: str, tp: type[T]) -> timeline.Dated[T] | None:
        """As `dated`, checked to hold `tp` (as `Regulation.get(name, tp).get(day)`)."""
        self.regulation.get(name, tp)
        return self._lookups.dated(name, self.day)

    def at(self, name: str, tp: type[T]) -> timeline.Dated[T]:
        """The value of `name` on the period's day, NOT recorded in the basis (a value consulted
        to choose the way, e.g. the file-active tiers); `NotInForce` when none."""
        return self._lookups.at(name, tp, self.day)

    def priced_lines(self, priced: Recorded, build: Any) -> tuple[verdict.Line, ...]:
        """The lines of a priced period with this context's basis, built once for the same
        pricing and basis (`Lookups.lines`)."""
        return self._lookups.lines(priced, self.basis_list(), build)
