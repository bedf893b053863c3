"""The FHIR API's ports: what its handlers read and write (implemented by
`adapters.sql.fhir.store` and `adapters.sql.fhir.observations`), and the records they speak in.

Writes take only what the judge authorised (`domain/access/writes.py`): a registry create is
handed a `writes.Authorised[Registered]`, a reading write `writes.Authorised[...]` readings. A
transaction Bundle creates registry resources and writes readings in one database transaction:
`Store.writing()` is that unit of work.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest
from telesurveillance.services.security import audit

#: A stored registry row, as the FHIR mapping renders it (columns as attributes).
Row = Any
#: Readings authorised for writing.
Grant = writes.Authorised[Sequence[reading.Reading]]


class Entity(enum.StrEnum):
    """A registry table behind a FHIR resource type (an Organization is one of two)."""

    PATIENT = "patients"
    PRACTITIONER = "practitioners"
    OPERATEUR = "operateurs"
    EXPLOITANT = "exploitants"
    DEVICE = "devices"

    @property
    def label(self) -> str:
        """The FHIR resource type."""
        return _LABELS[self]


_LABELS = {
    Entity.PATIENT: "Patient",
    Entity.PRACTITIONER: "Practitioner",
    Entity.OPERATEUR: "Organization",
    Entity.EXPLOITANT: "Organization",
    Entity.DEVICE: "Device",
}


@dataclass(frozen=True, slots=True)
class Registered:
    """A registry resource parsed and checked, to be created as `entity` from `row`."""

    resource_type: str
    entity: Entity
    row: dict[str, Any]

    @property
    def route(self) -> str:
        """The route whose permission a create of this resource needs."""
        return writes.create_route(self.resource_type)

    @property
    def patients(self) -> set[int]:
        """The patients whose data the create writes (a Device's patient)."""
        patient_id = self.row.get("patient_id") if self.entity is Entity.DEVICE else None
        return set() if patient_id is None else {int(patient_id)}


@dataclass(frozen=True, slots=True)
class Condition:
    """A conditional create (`If-None-Exist`): its text, the tables its type searches and the
    search parameters left for them."""

    text: str
    entities: tuple[Entity, ...]
    params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Made:
    """What a create answered: the row created (`new`), or the one a condition matched."""

    entity: Entity
    row: Row
    new: bool


class Reads(Protocol):
    """Registry reads."""

    def read(self, entity: Entity, key: int) -> Row | None:
        """The row `key` of `entity`, None when there is none."""
        ...

    def find(
        self, entities: Sequence[Entity], params: Mapping[str, str], count: int
    ) -> list[tuple[Entity, Row]]:
        """At most `count` rows of `entities` matching the search `params`."""
        ...

    def total(self, entities: Sequence[Entity], params: Mapping[str, str]) -> int:
        """How many rows of `entities` match `params` (the count-only search)."""
        ...


class Unit(Reads, Protocol):
    """The operations of one write transaction (a transaction Bundle's unit of work)."""

    def create(self, grant: writes.Authorised[Registered], condition: Condition | None) -> Made:
        """Create the authorised resource, or with a `condition` that one resource already
        meets, answer that one (several: refused, 412); references to unknown rows refused."""
        ...

    def births(self, patient_ids: set[int]) -> Mapping[int, dt.date]:
        """The birth date of each of `patient_ids` that exists."""
        ...

    def check_patients(self, batch: Sequence[reading.Reading], where: ingest.Where) -> None:
        """Refuse `batch` unless its patients exist and were born before its readings."""
        ...

    def devices(self, device_ids: set[int]) -> Mapping[int, int | None]:
        """The patient of each of `device_ids` that exists (None: a device of no patient)."""
        ...

    def write(self, grants: Sequence[Grant], sent: Sequence[ingest.Sent] = ()) -> ingest.Stored:
        """Check the patients (and the devices named in `sent`, parallel to `grants`), then
        store the authorised readings with their provenance."""
        ...

    def correct(
        self, grant: Grant, action: ingest.Action, sent: ingest.Sent = ingest.UNKNOWN
    ) -> ingest.Stored:
        """A correction of the authorised readings at their keys (issue 17): REPLACE gives
        the readings whose value was written (recording `sent` as their provenance; a device
        it names must exist and be the patient's), WITHDRAW the readings removed."""
        ...


class Store(Protocol):
    """The registry: reads on their own connection, writes each in its own transaction, and
    `writing()`, one transaction for several operations (committed on exit)."""

    def writing(self) -> AbstractContextManager[Unit]: ...

    def read(self, entity: Entity, key: int) -> Row | None: ...

    def find(
        self, entities: Sequence[Entity], params: Mapping[str, str], count: int
    ) -> list[tuple[Entity, Row]]: ...

    def total(self, entities: Sequence[Entity], params: Mapping[str, str]) -> int: ...

    def create(
        self, grant: writes.Authorised[Registered], condition: Condition | None = None
    ) -> Made:
        """`Unit.create` in a transaction of its own."""
        ...

    def update(
        self, entity: Entity, key: int, row: Mapping[str, Any], expected_version: int | None
    ) -> Row:
        """Replace the row `key` (compare-and-set on its version when `expected_version` is
        given); references to unknown rows refused."""
        ...


@dataclass(frozen=True, slots=True)
class Query:
    """An Observation search (`adapters.fhir.search` builds it from the query string)."""

    patient_id: int
    kinds: tuple[int, ...] | None = None
    since: int | None = None  # ts >= since
    until: int | None = None  # ts < until
    after: tuple[int, int] | None = None  # keyset: (kind, ts) strictly after
    count: int = 100  # 0: count only (`total`)
    panels: bool = True  # group panel components into one Observation


@dataclass(frozen=True, slots=True)
class Told:
    """What a stored reading's sender told of it (issue 17): the identifiers it gave, in order,
    and the Device that sent it, when known."""

    identifiers: tuple[ingest.Identifier, ...] = ()
    device_id: int | None = None


#: A reading's key: (patient, kind, UTC milliseconds).
Key = tuple[int, int, int]


class Observations(Protocol):
    """Observations read back (a read model: each call on its own connection)."""

    def told(self, keys: Sequence[Key]) -> Mapping[Key, Told]:
        """The provenance of the readings at `keys` that have some (identifiers or a device)."""
        ...

    def fetch(self, patient_id: int, kinds: Sequence[int], ts: int) -> list[reading.Reading] | None:
        """The readings behind an Observation id, or None when any is missing."""
        ...

    def search(
        self, query: Query, table: measures.Table
    ) -> tuple[list[list[reading.Reading]], tuple[int, int] | None]:
        """A page of Observations (each a list of readings) and the keyset of the next page."""
        ...

    def total(self, query: Query, table: measures.Table) -> int:
        """How many Observations `query` finds (a panel counts once)."""
        ...


#: The audit events of a request for the HTTP status it answers (`web.security.gate`).
AuditOf = Callable[[int], Sequence[audit.Event]]


class Writer(Protocol):
    """Single readings, group-committed: many requests share one durable transaction."""

    def submit(
        self,
        grant: Grant,
        where: ingest.Where = ingest.OBSERVATION,
        action: ingest.Action = ingest.Action.STORE,
        audit_of: AuditOf | None = None,
        sent: ingest.Sent = ingest.UNKNOWN,
    ) -> Future[ingest.Stored]:
        """Store the authorised readings in the next group (or, by `action`, replace or withdraw
        the readings at their keys), the new ones with their provenance `sent`; the future
        resolves after its commit (or with the request's own refusal). `audit_of` gives the
        request's audit events for the status it will answer (201 when a reading was new, else
        200): they are committed in the same transaction as the readings (issue 18)."""
        ...

    def close(self) -> None: ...
