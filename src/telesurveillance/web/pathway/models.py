"""Request bodies of the care pathway JSON API (`web.pathway.api`).

The `*_by` and `prescriber_id` fields name the team member *of record* (the prescriber printed
on the ordonnance, the nurse who gave a support session, the physician who attests a
majoration): a practitioner of the record, not the identity of the caller — who sent the
request is the principal, traced in the audit trail."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from telesurveillance.web import bodies


class OperateurIn(bodies.Body):
    name: str = Field(min_length=1, max_length=200)
    kind: str
    finess: str | None = None
    siret: str | None = None


class MemberIn(bodies.Body):
    family: str = Field(min_length=1, max_length=100)
    given: str = Field(default="", max_length=100)
    profession: str = Field(min_length=1, max_length=32)
    rpps: str | None = None
    speciality: str | None = Field(default=None, max_length=100)


class ArsIn(bodies.Body):
    received_on: dt.date
    reference: str | None = Field(default=None, max_length=100)


class ProtocolIn(bodies.Body):
    name: str = Field(min_length=1, max_length=200)
    role: str
    tasks: list[str] = Field(min_length=1)
    declared_on: dt.date
    ends_on: dt.date | None = None


class ExploitantIn(bodies.Body):
    name: str = Field(min_length=1, max_length=200)
    siret: str | None = None


class DmnIn(bodies.Body):
    exploitant_id: int
    name: str = Field(min_length=1, max_length=200)
    benefit: str
    indication: str | None = None
    generic_line: str | None = Field(default=None, max_length=200)
    latm_code: str | None = Field(default=None, max_length=16)
    certified_from: dt.date | None = None
    certified_until: dt.date | None = None


class ConventionIn(bodies.Body):
    operateur_id: int
    exploitant_id: int
    signed_on: dt.date
    ends_on: dt.date | None = None
    prefilter_delegated: bool = False


class PatientIn(bodies.Body):
    nir: str | None = None
    nir_type: str | None = Field(default=None, max_length=8)
    family: str = Field(min_length=1, max_length=100)
    given: str = Field(default="", max_length=100)
    birth_date: dt.date
    sex: str = "unknown"
    coverage: str = "standard"
    synthetic: bool = False


class InclusionIn(bodies.Body):
    operateur_id: int
    indication: str
    dmn_id: int
    starts_on: dt.date
    consent_on: dt.date | None = None
    consent_method: str | None = None
    sous_population: str
    criteres: list[str]
    exclusions: list[str] = Field(default_factory=list)
    patient: PatientIn | None = None
    patient_id: int | None = None
    pecan: bool = False
    collected_by: int | None = None
    attested_by: int | None = None
    device_serial: str | None = Field(default=None, max_length=100)


class PrescriptionIn(bodies.Body):
    prescriber_id: int
    prescribed_on: dt.date
    months: int = Field(ge=1)


class SessionIn(bodies.Body):
    held_on: dt.date
    given_by: int
    topic: str = Field(default="", max_length=200)


class MajorationIn(bodies.Body):
    level: int
    since: dt.date
    until: dt.date | None = None
    attested_by: int
    criterion: str = Field(max_length=500)


class TaskDoneIn(bodies.Body):
    kind: str
    due_on: dt.date
    done_on: dt.date
    done_by: int | None = None


class StopIn(bodies.Body):
    stopped_on: dt.date
    reason: str
