"""What the dashboard reads, as ports: read models shaped for its pages, implemented over SQL by
`adapters.sql.dashboard` (each method owns its connection) and wired in `composition`.

The rows are plain mappings (column → value) where a page only prints them, and dataclasses
where a use case computes on them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from telesurveillance.domain.billing import model
from telesurveillance.domain.regulation import catalogue

#: One stored row as the pages print it (column name → value).
Row = Mapping[Any, Any]


@dataclass(frozen=True, slots=True)
class Followed:
    """One prise en charge in monitoring today, with what the worklist needs about it."""

    prise_en_charge_id: int
    patient_id: int
    family: str
    given: str
    synthetic: bool
    indication: str
    starts_on: dt.date
    prescriber_id: int | None
    days_in_period: int
    last_day: dt.date | None
    """The last day with data in the current period (None: none yet)."""
    prescribed_on: dt.date | None
    """The latest prescription (first or renewal) and its length in months."""
    months: int | None


@dataclass(frozen=True, slots=True)
class OpenAlert:
    id: int
    patient_id: int
    rule_id: str
    severity: str
    status: str
    message: str
    opened_at: int
    indication: str = ""
    acknowledged_at: int | None = None
    """When and by whom it was acknowledged (UTC milliseconds, the actor's name)."""
    acknowledged_by: str | None = None
    assignee_id: int | None = None
    """The care-team account it is assigned to, and that account's name."""
    assignee: str | None = None


@dataclass(frozen=True, slots=True)
class Criteria:
    """What one worklist page is about: the day, the period length, the observance threshold
    per indication (days needed), the renewal notice and the page's filters."""

    today: dt.date
    length: int
    #: indication → days with data needed in a period (indications absent: never at risk)
    needed: Mapping[str, int]
    #: a prescription ending on or before this day is a renewal due
    notice: dt.date
    #: prescription length in months → the latest start whose end (`add_months`) is on or
    #: before `notice` (a prescription starting later is not due yet)
    renewal_bases: Mapping[int, dt.date]
    indication: str | None = None
    #: the prescriber (practitioner id) the page is filtered on
    member: int | None = None


@dataclass(frozen=True, slots=True)
class Totals:
    """How many prises en charge the page's filters keep, and how many of them are in each
    counted section."""

    followed: int
    at_risk: int
    renewals: int
    #: counter rows missing or of another period than today's (to roll over, then read again)
    stale: int = 0


@dataclass(frozen=True, slots=True)
class Overview:
    totals: Totals
    #: section ("at_risk", "renewals") → the rows of the page asked for, in the page's order
    rows: Mapping[str, list[Followed]]


@dataclass(frozen=True, slots=True)
class NamedAlert:
    alert: OpenAlert
    family: str
    given: str
    synthetic: bool


class Worklist(Protocol):
    """The worklist's reads: set-based queries over the counters, never raw readings; a page
    reads its totals and its own rows, never one row per prise en charge."""

    def roll_over(self, criteria: Criteria) -> None:
        """Set the counters of the followed prises en charge that count another period than
        the one holding `criteria.today` to their current period (recounted)."""
        ...

    def overview(self, criteria: Criteria, pages: Mapping[str, tuple[int, int]]) -> Overview:
        """The totals, and for each section of `pages` (section → offset, limit) that page of
        its rows: "at_risk" out of reach first, then fewest days left, then most days missing;
        "renewals" earliest end first."""
        ...

    def followed_alerts(self, criteria: Criteria) -> list[NamedAlert]:
        """The alerts not closed of the patients the criteria keep."""
        ...

    def queue_size(self) -> int:
        """Every alert not closed, whoever the patient."""
        ...

    def followed(
        self, today: dt.date, length: int, *, indication: str | None = None
    ) -> list[Followed]:
        """Every prise en charge in monitoring on `today`, with its current period's (`length`
        days, counted from its start) days with data and its latest prescription."""
        ...

    def open_alerts(self) -> list[OpenAlert]:
        """Alerts not closed (open or acknowledged), newest first."""
        ...

    def prescribers(self) -> list[tuple[int, str]]:
        """The active team members (id, "given family"), for the worklist filter."""
        ...

    def team(self) -> list[tuple[int, str]]:
        """The active care-team accounts (id, name) alerts may be assigned to."""
        ...


class Directory(Protocol):
    """Names of the people and organisations the pages show beside ids."""

    def names(self, patient_ids: Collection[int]) -> dict[int, tuple[str, str, bool]]:
        """Family name, given name and synthetic flag of some patients."""
        ...

    def operateurs(self) -> list[tuple[int, str]]: ...

    def exploitants(self) -> list[tuple[int, str]]: ...


@dataclass(frozen=True, slots=True)
class Care:
    """One prise en charge as shown, and as the billing engine judges it."""

    id: int
    indication: catalogue.Indication
    starts_on: dt.date
    stopped_on: dt.date | None
    dmn_name: str | None
    dmn_certified_until: dt.date | None
    exploitant_name: str | None
    prescriptions: tuple[Row, ...]
    majorations: tuple[Row, ...]
    situation: model.Situation


@dataclass(frozen=True, slots=True)
class Patient:
    row: Row
    cares: tuple[Care, ...]


@dataclass(frozen=True, slots=True)
class File:
    """One patient's file as the patient page reads it (one snapshot)."""

    patient: Patient
    #: the patient's alerts, every status, newest first
    alerts: tuple[Row, ...]
    #: alert id → its transitions, oldest first
    transitions: Mapping[int, Sequence[Row]]


class Patients(Protocol):
    """One patient at a time, so the patient page stays fast whatever the store's size."""

    def file(self, patient_id: int, alerts: int) -> File | None:
        """Identity, prises en charge with their `Situation`, and the `alerts` latest alerts
        with their transitions; None if there is no such patient."""
        ...

    def chart(
        self, patient_id: int, since_ms: int
    ) -> tuple[set[str], dict[int, tuple[list[int], list[float]]]] | None:
        """The patient's indications, and per kind its readings since `since_ms` (instants in
        UTC milliseconds, values) in time order; None if there is no such patient."""
        ...
