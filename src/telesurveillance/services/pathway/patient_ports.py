"""The patient register's port (implemented by `adapters.sql.pathway.patients`): a patient's
identity, contact and care network, and the history of every change made to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Identity:
    """What identifies the patient and what billing reads (sex, birth date, coverage)."""

    nir: str | None
    nir_type: str | None
    family: str
    given: str
    birth_date: dt.date
    sex: str
    coverage: str


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach the patient and the people around them (every field optional)."""

    phone: str | None = None
    email: str | None = None
    address: str | None = None
    medecin_traitant: str | None = None
    aidant: str | None = None
    aidant_phone: str | None = None
    confiance: str | None = None
    confiance_phone: str | None = None

    def empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True, slots=True)
class Record:
    id: int
    identity: Identity
    contact: Contact
    died_on: dt.date | None
    synthetic: bool
    version: int


@dataclass(frozen=True, slots=True)
class Change:
    """One field changed: by whom (the principal's name), when, from what to what; the field
    `created` marks the creation of the record."""

    changed_at: dt.datetime
    changed_by: str
    field: str
    before: str | None
    after: str | None


class Store(Protocol):
    def create_patient(
        self, identity: Identity, contact: Contact, operateur_id: int | None, created: Change
    ) -> int: ...
    def patient_record(self, patient_id: int) -> Record | None: ...
    def search_patients(
        self, words: Sequence[str], birth_date: dt.date | None, limit: int
    ) -> list[Record]:
        """Patients whose names or NIR contain every word (case-insensitive), born on
        `birth_date` when given, by name."""
        ...

    def nir_owner(self, nir: str) -> int | None: ...
    def update_patient(
        self,
        patient_id: int,
        version: int,
        identity: Identity,
        contact: Contact,
        changes: Sequence[Change],
    ) -> bool:
        """Compare-and-set on the version; the changes are written in the same transaction."""
        ...

    def patient_changes(self, patient_id: int) -> list[Change]: ...


@dataclass(frozen=True, slots=True)
class ConsentDocument:
    id: int
    prise_en_charge_id: int
    filename: str
    media_type: str
    sha256: str
    content: bytes


class Documents(Protocol):
    """The signed consent documents, archived byte for byte with their SHA-256."""

    def add_consent_document(
        self, pec_id: int, filename: str, media_type: str, sha256: str, content: bytes
    ) -> int: ...
    def consent_document(self, document_id: int) -> ConsentDocument | None: ...
