"""The care pathway's port: what the use cases read and write (implemented by
`adapters.sql.pathway.store`), and the records it speaks in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import delegation


@dataclass(frozen=True, slots=True)
class Operateur:
    id: int
    name: str
    kind: model.OperateurKind
    finess: str | None
    siret: str | None
    ars_declared_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Practitioner:
    id: int
    family: str
    given: str
    rpps: str | None
    profession: str
    speciality: str | None
    operateur_id: int | None


@dataclass(frozen=True, slots=True)
class Dmn:
    id: int
    exploitant_id: int
    exploitant_name: str
    name: str
    generic_line: str | None
    latm_code: str | None
    indication: str | None
    device: model.Dmn


@dataclass(frozen=True, slots=True)
class Patient:
    id: int
    nir: str | None
    nir_type: str | None
    family: str
    given: str
    birth_date: dt.date
    sex: str
    coverage: str
    died_on: dt.date | None
    operateur_id: int | None
    synthetic: bool


@dataclass(frozen=True, slots=True)
class NewPatient:
    nir: str | None
    nir_type: str | None
    family: str
    given: str
    birth_date: dt.date
    sex: str
    coverage: str
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class Prescription:
    id: int
    prescriber_id: int | None
    prescribed_on: dt.date
    months: int
    renewal: bool


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    held_on: dt.date
    given_by: int
    topic: str


@dataclass(frozen=True, slots=True)
class Majoration:
    id: int
    level: int
    since: dt.date
    until: dt.date | None
    attested_by: int | None
    criterion: str | None


@dataclass(frozen=True, slots=True)
class PriseEnCharge:
    id: int
    patient_id: int
    operateur_id: int
    indication: str
    dmn_id: int | None
    prescriber_id: int | None
    starts_on: dt.date
    pecan: bool
    consent_on: dt.date | None
    consent_method: str | None
    stopped_on: dt.date | None
    stop_reason: str | None
    version: int
    sous_population: str | None = None
    prescriptions: tuple[Prescription, ...] = ()
    majorations: tuple[Majoration, ...] = ()
    sessions: tuple[Session, ...] = ()
    marks: tuple[tuple[str, dt.date], ...] = ()

    def billing_prescriptions(self) -> tuple[model.Prescription, ...]:
        return tuple(model.Prescription(p.prescribed_on, p.months) for p in self.prescriptions)

    def billing_majorations(self) -> tuple[model.Majoration, ...]:
        return tuple(
            model.Majoration(model.MajorationLevel(m.level), m.since, m.until)
            for m in self.majorations
        )


@dataclass(frozen=True, slots=True)
class NewInclusion:
    """One write: the patient (new or existing), the prise en charge, consent and eligibility."""

    patient_id: int | None
    patient: NewPatient | None
    operateur_id: int
    indication: str
    dmn_id: int
    starts_on: dt.date
    pecan: bool
    consent_on: dt.date
    consent_method: str
    collected_by: int | None
    sous_population: str
    criteres: tuple[str, ...]
    attested_by: int | None
    #: serial number of the device handed to the patient (a `devices` row), when known
    device_serial: str | None = None


@dataclass(frozen=True, slots=True)
class AlertSummary:
    rule_id: str
    message: str
    count: int
    #: decision value → alerts closed with it
    decisions: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class NoteSummary:
    written_at: dt.datetime
    author: str
    body: str


class Store(Protocol):
    # organisation
    def add_operateur(
        self, name: str, kind: model.OperateurKind, finess: str | None, siret: str | None
    ) -> int: ...
    def add_practitioner(
        self,
        family: str,
        given: str,
        rpps: str | None,
        profession: str,
        speciality: str | None,
        operateur_id: int | None,
    ) -> int: ...
    def record_ars(
        self, operateur_id: int, received_on: dt.date, reference: str | None
    ) -> None: ...
    def add_exploitant(self, name: str, siret: str | None) -> int: ...
    def add_dmn(
        self,
        exploitant_id: int,
        name: str,
        generic_line: str | None,
        latm_code: str | None,
        indication: str | None,
        benefit: str,
        certified_from: dt.date | None,
        certified_until: dt.date | None,
    ) -> int: ...
    def add_convention(
        self,
        operateur_id: int,
        exploitant_id: int,
        signed_on: dt.date,
        ends_on: dt.date | None,
        prefilter_delegated: bool,
    ) -> int: ...
    def add_protocol(self, operateur_id: int, protocol: delegation.CooperationProtocol) -> int: ...

    # reads
    def operateur(self, operateur_id: int) -> Operateur | None: ...
    def practitioner(self, practitioner_id: int) -> Practitioner | None: ...
    def practitioner_contact(self, practitioner_id: int) -> tuple[str | None, str | None]:
        """The professional address and phone printed on the practitioner's ordonnances."""
        ...

    def set_practitioner_contact(
        self, practitioner_id: int, address: str | None, phone: str | None
    ) -> None: ...
    def dmn(self, dmn_id: int) -> Dmn | None: ...
    def conventions(self, operateur_id: int, exploitant_id: int) -> list[model.Convention]: ...
    def prefilter_delegated(self, operateur_id: int, exploitant_id: int, day: dt.date) -> bool: ...
    def protocols(self, operateur_id: int) -> list[delegation.CooperationProtocol]: ...
    def patient(self, patient_id: int) -> Patient | None: ...
    def prise_en_charge(self, pec_id: int) -> PriseEnCharge | None: ...
    def open_indications(self, patient_id: int) -> set[str]:
        """Indications of the patient's prises en charge not stopped."""
        ...

    def days_with_data(
        self, patient_id: int, start: dt.date, end: dt.date
    ) -> frozenset[dt.date]: ...
    def alert_lines(
        self, patient_id: int, indication: str, start_ms: int, end_ms: int
    ) -> list[AlertSummary]:
        """The patient's alerts for `indication` first raised in `[start_ms, end_ms)`, grouped
        by rule (most frequent first)."""
        ...

    def medecin_traitant(self, patient_id: int) -> str | None: ...
    def note_lines(
        self, patient_id: int, start: dt.datetime, end: dt.datetime, limit: int
    ) -> tuple[int, list[NoteSummary]]:
        """How many notes were written in `[start, end)`, and the latest `limit` of them."""
        ...

    # care pathway writes
    def include(self, inclusion: NewInclusion) -> tuple[int, int]: ...
    def add_prescription(
        self,
        pec_id: int,
        prescriber_id: int,
        prescribed_on: dt.date,
        months: int,
        renewal: bool,
    ) -> int: ...
    def add_session(self, pec_id: int, held_on: dt.date, given_by: int, topic: str) -> int: ...
    def add_majoration(
        self,
        pec_id: int,
        level: int,
        since: dt.date,
        until: dt.date,
        attested_by: int,
        criterion: str,
    ) -> int: ...
    def mark_task(
        self, pec_id: int, kind: str, due_on: dt.date, done_on: dt.date, done_by: int | None
    ) -> None: ...
    def stop(
        self,
        pec_id: int,
        version: int,
        stopped_on: dt.date,
        reason: str,
        died_on: dt.date | None,
    ) -> bool:
        """Compare-and-set on the version; records the death on the patient when given."""
        ...

    def add_document(
        self, pec_id: int, kind: str, prescription_id: int | None, content: bytes
    ) -> int: ...
    def documents(self, pec_id: int) -> Sequence[tuple[int, str, int | None, str]]: ...
