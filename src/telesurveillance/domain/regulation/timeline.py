"""Dated values: what holds on a given day, since when, and on which text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from telesurveillance.domain.regulation import citation

T = TypeVar("T")


class NotInForce(LookupError):
    """Nothing is in force for a parameter on a day (before its first date, or after a `null`)."""

    def __init__(self, name: str, day: dt.date) -> None:
        super().__init__(f"{name}: no value in force on {day.isoformat()}")
        self.name = name
        self.day = day


@dataclass(frozen=True, slots=True)
class Dated(Generic[T]):
    """One value of a parameter, in force on `[since, until)` (`until` None: still in force)."""

    name: str
    value: T
    since: dt.date
    until: dt.date | None
    cite: tuple[citation.Citation, ...]
    note: str | None = None

    def holds_on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)

    @property
    def to_confirm(self) -> bool:
        # Settled when an official source backs it and no part of it is a project inference.
        statuses = {c.status for c in self.cite}
        if citation.Confirmation.INFERENCE in statuses:
            return True
        return all(s.to_confirm for s in statuses)


@dataclass(frozen=True, slots=True)
class Timeline(Generic[T]):
    """The successive values of one parameter, in date order, never overlapping."""

    name: str
    title: str
    reviewed_on: dt.date
    entries: tuple[Dated[T], ...]

    def at(self, day: dt.date) -> Dated[T]:
        """The value in force on `day`; raises `NotInForce` when there is none."""
        for entry in self.entries:
            if entry.holds_on(day):
                return entry
        raise NotInForce(self.name, day)

    def at_or_first(self, day: dt.date) -> Dated[T]:
        """The value in force on `day`, or the first value for a day before it: for rules that
        shape or word a verdict about days before the common law (which are never billed)."""
        return self.at(max(day, self.entries[0].since))

    def get(self, day: dt.date) -> Dated[T] | None:
        """Like `at`, for callers that treat "nothing in force" as a verdict of their own."""
        try:
            return self.at(day)
        except NotInForce:
            return None

    def __iter__(self) -> Iterator[Dated[T]]:
        return iter(self.entries)

    def gaps(self) -> list[tuple[dt.date, dt.date]]:
        """Holes `[end, next start)` between two values: nothing in force in between."""
        holes = []
        for before, after in zip(self.entries, self.entries[1:], strict=False):
            if before.until is not None and before.until < after.since:
                holes.append((before.until, after.since))
        return holes
