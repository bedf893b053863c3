"""What the engine is given: one patient's prise en charge for one indication, and its data days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from telesurveillance.domain.regulation import catalogue, records


class OperateurKind(StrEnum):
    """Where the opérateur practises; sets the billing channel and the ESMS rules."""

    LIBERAL = "liberal"
    ETABLISSEMENT = "etablissement"
    CENTRE_DE_SANTE = "centre_de_sante"
    MSP = "msp"
    ESMS_TARIF_GLOBAL = "esms_tarif_global"
    ESMS_TARIF_PARTIEL = "esms_tarif_partiel"


class Coverage(StrEnum):
    """The patient's coverage as established on the prescription date."""

    STANDARD = "standard"
    ALD = "ald"


class MajorationLevel(IntEnum):
    NIVEAU_1 = 1
    NIVEAU_2 = 2


@dataclass(frozen=True, slots=True)
class Operateur:
    kind: OperateurKind
    ars_declared_on: dt.date | None
    medecin: str | None = None


@dataclass(frozen=True, slots=True)
class Convention:
    """The opérateur–exploitant convention covering the DMN: `[signed_on, ends_on)`."""

    signed_on: dt.date | None
    ends_on: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        if self.signed_on is None or day < self.signed_on:
            return False
        return self.ends_on is None or day < self.ends_on


@dataclass(frozen=True, slots=True)
class Dmn:
    """The digital medical device; `certified_until` is the certificate's last valid day."""

    name: str
    benefit: records.Benefit
    certified_from: dt.date | None
    certified_until: dt.date | None
    latm_code: str | None = None
    file_active: int | None = None

    def certified_on(self, day: dt.date) -> bool:
        if self.certified_from is None or day < self.certified_from:
            return False
        return self.certified_until is None or day <= self.certified_until


@dataclass(frozen=True, slots=True)
class Patient:
    born_on: dt.date
    coverage: Coverage
    died_on: dt.date | None = None
    #: recorded sex, when known: checked against a listed population restricted to one sex.
    sex: records.Sexe | None = None


@dataclass(frozen=True, slots=True)
class Prescription:
    prescribed_on: dt.date
    months: int


@dataclass(frozen=True, slots=True)
class Majoration:
    """A complex-patient level attested by the physician, eligible on `[since, until)`."""

    level: MajorationLevel
    since: dt.date
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Attested:
    """The inclusion's eligibility attestation: the listing's sub-population and the criteria
    the physician attested (checked against the listing in force on each period's first day)."""

    sous_population: str
    criteres: frozenset[str]


@dataclass(frozen=True, slots=True)
class PriseEnCharge:
    indication: catalogue.Indication
    starts_on: dt.date
    prescription: Prescription
    renewals: tuple[Prescription, ...] = ()
    pecan: bool = False
    majorations: tuple[Majoration, ...] = ()
    stopped_on: dt.date | None = None
    attested: Attested | None = None

    @property
    def prescriptions(self) -> tuple[Prescription, ...]:
        return (self.prescription, *sorted(self.renewals, key=lambda p: p.prescribed_on))


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything the engine needs to judge one stream (patient × indication)."""

    operateur: Operateur
    convention: Convention
    dmn: Dmn
    patient: Patient
    prise_en_charge: PriseEnCharge
    #: Paris days on which the DMN transmitted the data the indication requires.
    days_with_data: frozenset[dt.date] = field(default_factory=frozenset)
    #: issue 17 (`observance.donnees_comptees`): days whose only data came from a device of
    #: another DMN (not counted), and days counted whose data has no known sender (to review).
    days_elsewhere: frozenset[dt.date] = field(default_factory=frozenset)
    days_unknown_source: frozenset[dt.date] = field(default_factory=frozenset)
