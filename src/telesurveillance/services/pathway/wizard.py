"""The inclusion wizard (médecin): what the forms offer, read from the regulation data and the
organisation, and the inclusion with its initial prescription and majoration, attested by the
physician who is logged in.

The choices are the rules' own: the listed indications, the sub-populations and their criteria
(any-of / all-of groups, as `eligibility.check` reads them), the exclusions, the DMN that pass
the same checks as a forfait (listed for the indication, certified, under convention), the
durations the indication allows, the majoration's criteria. Every step is checked before the
first write (the prescriber, the duration, the majoration), so a refused step leaves nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from telesurveillance.domain.access import roles
from telesurveillance.domain.pathway import (
    consent,
    eligibility,
    ending,
    majoration,
    organisation,
    prescription,
    refusals,
)
from telesurveillance.domain.regulation import catalogue, records, store
from telesurveillance.services.pathway import care, followup, patient_ports, patients, setup
from telesurveillance.services.pathway import ports as pathway_ports
from telesurveillance.services.setup import organisation as team
from telesurveillance.services.setup import ports

Refused = refusals.Refused
Invalid = setup.Invalid
MAX_CONSENT_BYTES = 10 * 1024 * 1024
ADDRESS_MAX = 500


@dataclass(frozen=True, slots=True)
class Choices:
    """What the wizard offers for an indication on a day (empty lists before it is chosen)."""

    indications: tuple[catalogue.Indication, ...]
    indication: catalogue.Indication | None
    groups: tuple[records.SubPopulation, ...] = ()
    exclusions: tuple[str, ...] = ()
    dmns: tuple[pathway_ports.Dmn, ...] = ()
    months: tuple[int, ...] = ()
    majoration: records.MajorationRules | None = None
    support: str | None = None
    cite: str = ""


def choices(
    store_: ports.Store, regulation: store.Regulation, indication: str | None, day: dt.date
) -> Choices:
    listed = tuple(i for i in catalogue.Indication if _listed(regulation, i, day))
    chosen = next((i for i in listed if i.value == indication), None)
    if chosen is None:
        return Choices(listed, None)
    dated = regulation.indication(chosen, "eligibilite", records.Eligibilite).at_or_first(day)
    rules, _ = prescription.rules(regulation, chosen, day)
    cap = regulation.get("prescription.duree_maximale_mois", int).at_or_first(day).value
    found = regulation.indication(chosen, "majoration", records.MajorationRules).get(day)
    return Choices(
        listed,
        chosen,
        dated.value.sous_populations,
        dated.value.exclusions,
        tuple(d for d in store_.dmns() if _usable(store_, regulation, d, chosen, day)),
        tuple(range(rules.duree_min_mois, min(rules.duree_max_mois, cap) + 1)),
        found.value if found is not None and found.value.eligible else None,
        rules.accompagnement if rules.accompagnement_obligatoire_mois else None,
        refusals.cite_of(dated),
    )


def _listed(regulation: store.Regulation, indication: catalogue.Indication, day: dt.date) -> bool:
    try:
        organisation.require_listed(regulation, indication, day)
    except Refused:
        return False
    return True


def _usable(
    store_: ports.Store,
    regulation: store.Regulation,
    dmn: pathway_ports.Dmn,
    indication: catalogue.Indication,
    day: dt.date,
) -> bool:
    """The DMN passes the checks a forfait will make: listed for the indication, certified,
    under a convention with its exploitant."""
    try:
        operateur_id = team.operateur_id(store_)
        organisation.require_dmn_for(regulation, dmn.name, dmn.indication, indication, day)
        organisation.require_certificate(regulation, dmn.device, day)
        organisation.require_convention(
            regulation, store_.conventions(operateur_id, dmn.exploitant_id), day
        )
    except (Refused, setup.NotFound):
        return False
    return True


def physician(store_: ports.Store, who: roles.Principal) -> pathway_ports.Practitioner:
    """The team member the logged-in account is, when a physician (identity from the
    principal only)."""
    if who.kind is roles.Kind.ACCOUNT and who.role is roles.Role.MEDECIN:
        for member in store_.members(team.operateur_id(store_)):
            if member.account_id == who.id and member.practitioner.profession == "medecin":
                return member.practitioner
    raise Invalid(
        "physician.not_linked",
        "the inclusion is attested by a physician of the team logged in with their own account",
    )


@dataclass(frozen=True, slots=True)
class Asked:
    """The wizard's form, read."""

    patient_id: int
    indication: str
    sous_population: str
    criteres: frozenset[str]
    exclusions: frozenset[str]
    starts_on: dt.date
    consent_on: dt.date | None
    consent_method: str | None
    dmn_id: int
    months: int
    majoration_level: int = 0
    majoration_criterion: str = ""
    device_serial: str | None = None
    consent_document: ports.Document | None = None


@dataclass(frozen=True, slots=True)
class Done:
    prise_en_charge_id: int
    prescription_id: int


def include(
    store_: ports.Store,
    documents: patient_ports.Documents,
    regulation: store.Regulation,
    asked: Asked,
    who: roles.Principal,
    today: dt.date,
) -> Done:
    """Check every step, then include, prescribe and attest the majoration."""
    doctor = physician(store_, who)
    indication = catalogue.Indication(asked.indication)
    prescription.require_prescriber(
        regulation, indication, asked.starts_on, doctor.profession, doctor.speciality
    )
    if not doctor.rpps:
        raise Invalid("physician.rpps", "the prescriber's RPPS is a mandatory mention")
    prescription.require_duration(regulation, indication, asked.starts_on, asked.months)
    if asked.majoration_level:
        majoration.check(
            regulation,
            indication,
            asked.majoration_level,
            asked.starts_on,
            None,
            attested_by_profession=doctor.profession,
            criterion=asked.majoration_criterion,
            previous=(),
        )
    if asked.consent_document is not None:
        _check_document(asked.consent_document)
    consent.require_consent(asked.consent_on, asked.consent_method, asked.starts_on)
    included = care.include(
        store_,
        regulation,
        care.Inclusion(
            operateur_id=team.operateur_id(store_),
            indication=indication.value,
            dmn_id=asked.dmn_id,
            starts_on=asked.starts_on,
            consent_on=asked.consent_on,
            consent_method=asked.consent_method,
            attestation=eligibility.Attestation(
                asked.sous_population, asked.criteres, asked.exclusions
            ),
            patient_id=asked.patient_id,
            collected_by=doctor.id,
            attested_by=doctor.id,
            device_serial=asked.device_serial,
        ),
        today,
    )
    pec = included.prise_en_charge_id
    if asked.consent_document is not None:
        given = asked.consent_document
        digest = hashlib.sha256(given.content).hexdigest()
        documents.add_consent_document(pec, given.filename, given.media_type, digest, given.content)
    rx = care.prescribe(store_, regulation, pec, doctor.id, asked.starts_on, asked.months)
    if asked.majoration_level:
        followup.attest_majoration(
            store_,
            regulation,
            pec,
            asked.majoration_level,
            asked.starts_on,
            doctor.id,
            asked.majoration_criterion,
        )
    return Done(pec, rx)


def _check_document(document: ports.Document) -> None:
    if not document.content:
        raise Invalid("consent_document.empty", "the signed consent file is empty")
    if len(document.content) > MAX_CONSENT_BYTES:
        raise Invalid("consent_document.too_large", "the signed consent file is over 10 MB")
    magic = team.DOCUMENT_TYPES.get(document.media_type)
    if magic is None or not document.content.startswith(magic):
        raise Invalid("consent_document.type", "the signed consent: a PDF, JPEG or PNG file")


def set_my_contact(store_: ports.Store, who: roles.Principal, address: str, phone: str) -> None:
    """The logged-in physician's professional address and phone (for their ordonnances)."""
    doctor = physician(store_, who)
    line = " ".join(address.split())
    if len(line) > ADDRESS_MAX:
        raise Invalid("address.too_long", f"address: at most {ADDRESS_MAX} characters")
    store_.set_practitioner_contact(doctor.id, line or None, patients.phone(phone, "phone"))


def signatory(store_: ports.Store, who: roles.Principal) -> int | None:
    """The physician logged in (who signs a document they issue), None for anyone else."""
    try:
        return physician(store_, who).id
    except (Invalid, setup.NotFound):
        return None


@dataclass(frozen=True, slots=True)
class Follow:
    """A prise en charge as its page shows it: what it is, until when its prescriptions cover
    it, and the reasons it may stop for."""

    care: pathway_ports.PriseEnCharge
    covered_until: dt.date | None
    reasons: tuple[str, ...]


def follow(store_: ports.Store, regulation: store.Regulation, pec_id: int) -> Follow:
    pec = care.view(store_, pec_id)
    end = None
    if pec.prescriptions:
        end = prescription.coverage_end(
            regulation,
            pec.starts_on,
            pec.billing_prescriptions(),
            catalogue.Indication(pec.indication),
        )
    return Follow(pec, end, tuple(r.value for r in ending.StopReason))


def renew(
    store_: ports.Store,
    regulation: store.Regulation,
    pec_id: int,
    who: roles.Principal,
    prescribed_on: dt.date,
    months: int,
) -> int:
    """A renewal written by the physician logged in, within the indication's window."""
    return care.prescribe(
        store_, regulation, pec_id, physician(store_, who).id, prescribed_on, months
    )
