"""Care pathway use cases: inclusion, prescription and renewal, end of monitoring.

Every step re-checks the prerequisites a forfait will need (ARS declaration, convention,
certified DMN, listed indication) on the day it takes effect, so the wrong path is refused
before it costs an indu; each refusal (`refusals.Refused`) names the rule and its text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telesurveillance.domain import identity
from telesurveillance.domain.pathway import (
    consent,
    eligibility,
    ending,
    organisation,
    prescription,
    refusals,
)
from telesurveillance.domain.regulation import catalogue, store
from telesurveillance.services.pathway import ports, setup

Store = ports.Store
Refused = refusals.Refused
NotFound = setup.NotFound

COVERAGES = ("standard", "ald", "regime_special")
SEXES = ("male", "female", "other", "unknown")


class Conflict(Exception):
    """The prise en charge changed since it was read (compare-and-set lost)."""


@dataclass(frozen=True, slots=True)
class Inclusion:
    operateur_id: int
    indication: str
    dmn_id: int
    starts_on: dt.date
    consent_on: dt.date | None
    consent_method: str | None
    attestation: eligibility.Attestation
    patient: ports.NewPatient | None = None
    patient_id: int | None = None
    pecan: bool = False
    collected_by: int | None = None
    attested_by: int | None = None
    #: the device handed to the patient (its serial), assigned to the patient with the DMN
    device_serial: str | None = None


@dataclass(frozen=True, slots=True)
class Included:
    patient_id: int
    prise_en_charge_id: int
    sous_population: str


def prerequisites(
    store_: Store,
    regulation: store.Regulation,
    operateur_id: int,
    dmn_id: int,
    indication: catalogue.Indication,
    day: dt.date,
) -> None:
    """The organisation's prerequisites for a forfait on `day` (Refused on the first missing)."""
    op = store_.operateur(operateur_id)
    if op is None:
        raise NotFound(f"no opérateur {operateur_id}")
    dmn = store_.dmn(dmn_id)
    if dmn is None:
        raise NotFound(f"no DMN {dmn_id}")
    organisation.require_listed(regulation, indication, day)
    organisation.require_dmn_for(regulation, dmn.name, dmn.indication, indication, day)
    organisation.require_ars_declaration(regulation, op.ars_declared_on, day)
    organisation.require_convention(
        regulation, store_.conventions(operateur_id, dmn.exploitant_id), day
    )
    organisation.require_certificate(regulation, dmn.device, day)


def include(
    store_: Store, regulation: store.Regulation, inclusion: Inclusion, today: dt.date
) -> Included:
    """Include a patient: prerequisites, identity, eligibility, consent, then one write."""
    indication = catalogue.Indication(inclusion.indication)
    prerequisites(
        store_,
        regulation,
        inclusion.operateur_id,
        inclusion.dmn_id,
        indication,
        inclusion.starts_on,
    )
    born_on, sex = _patient_identity(store_, inclusion, today)
    # The same computable bounds (age, sex) as every billed period: an inclusion the billing
    # would refuse is refused here, under the same rule (`eligibility.age`, `eligibility.sex`).
    group = eligibility.check(
        regulation,
        indication,
        inclusion.attestation,
        born_on,
        inclusion.starts_on,
        eligibility.recorded_sex(sex),
    )
    method = consent.require_consent(
        inclusion.consent_on, inclusion.consent_method, inclusion.starts_on
    )
    if inclusion.patient_id is not None and indication.value in store_.open_indications(
        inclusion.patient_id
    ):
        raise Refused(
            "inclusion.duplicate",
            f"the patient is already monitored for {indication.value}",
            refusals.rule_cite(regulation, "monitoring.stopped", inclusion.starts_on),
        )
    assert inclusion.consent_on is not None  # checked by require_consent
    patient_id, pec_id = store_.include(
        ports.NewInclusion(
            patient_id=inclusion.patient_id,
            patient=inclusion.patient,
            operateur_id=inclusion.operateur_id,
            indication=indication.value,
            dmn_id=inclusion.dmn_id,
            starts_on=inclusion.starts_on,
            pecan=inclusion.pecan,
            consent_on=inclusion.consent_on,
            consent_method=method.value,
            collected_by=inclusion.collected_by,
            sous_population=group.id,
            criteres=tuple(sorted(inclusion.attestation.criteres)),
            attested_by=inclusion.attested_by,
            device_serial=(inclusion.device_serial or "").strip() or None,
        )
    )
    return Included(patient_id, pec_id, group.id)


def _patient_identity(store_: Store, inclusion: Inclusion, today: dt.date) -> tuple[dt.date, str]:
    """The patient's birth date and recorded sex (existing patient, or the new one checked)."""
    if inclusion.patient_id is not None:
        found = store_.patient(inclusion.patient_id)
        if found is None:
            raise NotFound(f"no patient {inclusion.patient_id}")
        if found.died_on is not None:
            raise Refused(
                "patient.deceased",
                f"the patient died on {found.died_on.isoformat()}",
                refusals.PROJECT_CHOICE,
            )
        return found.birth_date, found.sex
    new = inclusion.patient
    if new is None:
        raise ValueError("give either an existing patient id or the new patient's identity")
    if new.nir is not None:
        identity.nir(new.nir)
    if new.coverage not in COVERAGES:
        raise ValueError(f"coverage {new.coverage!r}: one of {', '.join(COVERAGES)}")
    if new.sex not in SEXES:
        raise ValueError(f"sex {new.sex!r}: one of {', '.join(SEXES)}")
    if new.birth_date > today:
        raise ValueError("the birth date is in the future")
    return new.birth_date, new.sex


def prescribe(
    store_: Store,
    regulation: store.Regulation,
    pec_id: int,
    prescriber_id: int,
    prescribed_on: dt.date,
    months: int,
) -> int:
    """The initial prescription or a renewal, checked against the indication's rules."""
    pec = _pec(store_, pec_id)
    if pec.stopped_on is not None and prescribed_on >= pec.stopped_on:
        raise Refused(
            "monitoring.stopped",
            f"monitoring stopped on {pec.stopped_on.isoformat()}",
            refusals.rule_cite(regulation, "monitoring.stopped", prescribed_on),
        )
    indication = catalogue.Indication(pec.indication)
    prescriber = store_.practitioner(prescriber_id)
    if prescriber is None:
        raise NotFound(f"no practitioner {prescriber_id}")
    prescription.require_prescriber(
        regulation, indication, prescribed_on, prescriber.profession, prescriber.speciality
    )
    if not prescriber.rpps:
        raise identity.IdentifierError("the prescriber's RPPS is a mandatory mention")
    prescription.require_duration(regulation, indication, prescribed_on, months)
    renewal = bool(pec.prescriptions)
    day = max(prescribed_on, pec.starts_on)
    if pec.dmn_id is not None:
        prerequisites(store_, regulation, pec.operateur_id, pec.dmn_id, indication, day)
    if renewal:
        # As billing reads the chain: each prescription covers at most its indication's maximum.
        end = prescription.coverage_end(
            regulation, pec.starts_on, pec.billing_prescriptions(), indication
        )
        prescription.require_renewal(
            regulation,
            indication,
            end,
            prescribed_on,
            pecan=pec.pecan,
            months_so_far=sum(p.months for p in pec.prescriptions),
            months=months,
        )
    elif prescribed_on > pec.starts_on:
        raise Refused(
            "prescription.not_covered",
            f"the initial prescription ({prescribed_on.isoformat()}) must be written on or "
            f"before the start of monitoring ({pec.starts_on.isoformat()})",
            refusals.rule_cite(regulation, "prescription.not_covered", prescribed_on),
        )
    return store_.add_prescription(pec_id, prescriber_id, prescribed_on, months, renewal)


def stop(
    store_: Store,
    regulation: store.Regulation,
    pec_id: int,
    stopped_on: dt.date,
    reason: str,
) -> None:
    """End of monitoring with a reason; a death is also recorded on the patient (B10)."""
    pec = _pec(store_, pec_id)
    why = ending.StopReason(reason)
    ending.require_stop(regulation, pec.starts_on, pec.stopped_on, stopped_on)
    died_on = stopped_on if why is ending.StopReason.DEATH else None
    if not store_.stop(pec_id, pec.version, stopped_on, why.value, died_on):
        raise Conflict(f"prise en charge {pec_id} changed meanwhile: read it again")


def view(store_: Store, pec_id: int) -> ports.PriseEnCharge:
    return _pec(store_, pec_id)


def _pec(store_: Store, pec_id: int) -> ports.PriseEnCharge:
    found = store_.prise_en_charge(pec_id)
    if found is None:
        raise NotFound(f"no prise en charge {pec_id}")
    return found
