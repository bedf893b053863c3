"""What the patient's space needs from the store (`adapters/sql/patient_space/store.py`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class LinkState(StrEnum):
    LIVE = "live"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"


@dataclass(frozen=True, slots=True)
class Link:
    """An access link as the team sees it (never its secret)."""

    id: int
    patient_id: int
    single_use: bool
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def state(self, now: dt.datetime) -> LinkState:
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if self.single_use and self.used_at is not None:
            return LinkState.USED
        if now >= self.expires_at:
            return LinkState.EXPIRED
        return LinkState.LIVE


@dataclass(frozen=True, slots=True)
class LinkSession:
    """A live session opened by a link: limited to that link's patient."""

    link_id: int
    patient_id: int
    patient_name: str
    csrf: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A reading the patient entered on their page."""

    kind: int
    ts: int
    value: float
    questionnaire: str | None
    entered_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Instruction:
    body: str
    author: str
    role: str
    written_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Person:
    """Who the page is about: names and the indications followed."""

    given: str
    family: str
    indications: frozenset[str]


class Store(Protocol):
    def person(self, patient_id: int) -> Person | None: ...

    def add_link(
        self,
        patient_id: int,
        digest: str,
        single_use: bool,
        created_by: str,
        now: dt.datetime,
        expires: dt.datetime,
    ) -> int: ...

    def links(self, patient_id: int) -> Sequence[Link]: ...

    def link_by_digest(self, digest: str) -> Link | None: ...

    def redeem(self, digest: str, now: dt.datetime) -> Link | None:
        """Mark the live link `digest` used (compare-and-set: a single-use link once); the
        link, or None when it is not live."""
        ...

    def revoke(self, patient_id: int, link_id: int, now: dt.datetime) -> bool:
        """Revoke a live link of `patient_id` and end its sessions; False if there is none."""
        ...

    def add_session(
        self,
        digest: str,
        link: Link,
        csrf: str,
        now: dt.datetime,
        expires: dt.datetime,
    ) -> None: ...

    def session(self, digest: str, now: dt.datetime) -> LinkSession | None:
        """The live session `digest` whose link is not revoked."""
        ...

    def end_session(self, digest: str) -> None: ...

    def add_entries(
        self,
        patient_id: int,
        readings: Sequence[tuple[int, int, float]],
        questionnaire: str | None,
        entered_by: str,
        now: dt.datetime,
    ) -> None: ...

    def entries(self, patient_id: int, limit: int) -> Sequence[Entry]: ...

    def add_instruction(
        self, patient_id: int, body: str, author: str, role: str, now: dt.datetime
    ) -> None: ...

    def instructions(self, patient_id: int, limit: int) -> Sequence[Instruction]: ...
