"""What the follow-up tasks read and write, besides the pathway's own store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Care:
    """A prise en charge whose tasks are listed, with its patient's names."""

    id: int
    patient_id: int
    family: str
    given: str
    synthetic: bool
    indication: str


@dataclass(frozen=True, slots=True)
class Done:
    """A task marked done: by whom (the principal's name, account and role) and when."""

    pec_id: int
    kind: str
    due_on: dt.date
    at: int
    """UTC milliseconds."""
    by: str
    account_id: int | None
    role: str


class AlreadyDone(Exception):
    """The task was marked done already (by someone else, or in another tab)."""

    def __init__(self, done: Done | None) -> None:
        super().__init__("this task is already marked done")
        self.done = done


class Store(Protocol):
    def active_cares(self, day: dt.date) -> list[Care]:
        """The prises en charge active on `day` (`starts_on ≤ day < stopped_on`), by patient
        name."""
        ...

    def cares_of(self, patient_id: int) -> list[Care]:
        """Every prise en charge of the patient, stopped ones too, oldest first."""
        ...

    def done(self, pec_ids: Collection[int]) -> list[Done]:
        """The tasks of these prises en charge marked done."""
        ...

    def mark_done(self, done: Done) -> None:
        """Record the task as done; `AlreadyDone` when it is already (the unique key)."""
        ...
