"""Organisation set-up: opérateur, members, ARS declaration, exploitant, DMN, convention,
protocoles de coopération. Identifiers are checked (`domain.identity`) before anything is stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telesurveillance.domain import identity
from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import delegation
from telesurveillance.domain.regulation import catalogue, records
from telesurveillance.services.pathway import ports

Store = ports.Store


class NotFound(LookupError):
    """A referenced row does not exist (a 404, not a rule refusal)."""


class Invalid(ValueError):
    """A set-up value we refuse; `code` names the field and the reason (`name.empty`,
    `dates.order`, ...) for the forms' translated messages."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def add_operateur(
    store: Store,
    name: str,
    kind: str,
    *,
    finess: str | None = None,
    siret: str | None = None,
) -> int:
    """A new opérateur; a health establishment needs its FINESS (billing channel B13). The
    FINESS key and the SIRET key are checked (`identity.finess_keyed`, `identity.siret`)."""
    found = model.OperateurKind(kind)
    if not name.strip():
        raise Invalid("name.empty", "the opérateur has no name")
    checked_finess = identity.finess_keyed(finess) if finess else None
    checked_siret = identity.siret(siret) if siret else None
    if found is model.OperateurKind.ETABLISSEMENT and checked_finess is None:
        raise identity.IdentifierError(
            "a health establishment is identified by its FINESS", "finess.required"
        )
    return store.add_operateur(name.strip(), found, checked_finess, checked_siret)


@dataclass(frozen=True, slots=True)
class Member:
    family: str
    given: str
    profession: str
    rpps: str | None = None
    speciality: str | None = None


def add_member(store: Store, operateur_id: int, member: Member) -> int:
    """A professional of the opérateur's team; a physician is identified by its RPPS, whose
    check digit is verified (`identity.rpps_keyed`)."""
    _operateur(store, operateur_id)
    if not member.family.strip():
        raise Invalid("family.empty", "the member has no family name")
    rpps = identity.rpps_keyed(member.rpps) if member.rpps else None
    if member.profession == "medecin" and rpps is None:
        raise identity.IdentifierError(
            "a physician member is identified by an RPPS number", "rpps.required"
        )
    return store.add_practitioner(
        member.family.strip(),
        member.given.strip(),
        rpps,
        member.profession,
        member.speciality,
        operateur_id,
    )


def declare_ars(
    store: Store, operateur_id: int, received_on: dt.date, reference: str | None = None
) -> None:
    """Record the ARS receipt (art. R. 162-105 CSS): billing is open from its date."""
    _operateur(store, operateur_id)
    store.record_ars(operateur_id, received_on, reference)


def add_exploitant(store: Store, name: str, siret: str | None = None) -> int:
    if not name.strip():
        raise Invalid("name.empty", "the exploitant has no name")
    return store.add_exploitant(name.strip(), identity.siret(siret) if siret else None)


@dataclass(frozen=True, slots=True)
class NewDmn:
    exploitant_id: int
    name: str
    benefit: str
    indication: str | None = None
    generic_line: str | None = None
    latm_code: str | None = None
    certified_from: dt.date | None = None
    certified_until: dt.date | None = None


def add_dmn(store: Store, dmn: NewDmn) -> int:
    """A DMN of the catalogue: brand name, line, LATM code, expected benefit, ANS certificate."""
    if not dmn.name.strip():
        raise Invalid("name.empty", "the DMN has no name")
    benefit = records.Benefit(dmn.benefit)
    indication = catalogue.Indication(dmn.indication).value if dmn.indication else None
    if dmn.latm_code is not None and not (dmn.latm_code.isascii() and dmn.latm_code.isdigit()):
        raise Invalid("latm_code.format", f"LATM code {dmn.latm_code!r}: digits expected")
    if (
        dmn.certified_from is not None
        and dmn.certified_until is not None
        and dmn.certified_until < dmn.certified_from
    ):
        raise Invalid("certified_until.order", "the certificate ends before it starts")
    return store.add_dmn(
        dmn.exploitant_id,
        dmn.name.strip(),
        dmn.generic_line,
        dmn.latm_code,
        indication,
        benefit.value,
        dmn.certified_from,
        dmn.certified_until,
    )


def sign_convention(
    store: Store,
    operateur_id: int,
    exploitant_id: int,
    signed_on: dt.date,
    *,
    ends_on: dt.date | None = None,
    prefilter_delegated: bool = False,
) -> int:
    """The convention opérateur–exploitant (R. 162-99 CSS), `[signed_on, ends_on)`."""
    _operateur(store, operateur_id)
    if ends_on is not None and ends_on <= signed_on:
        raise Invalid("ends_on.order", "the convention must end after it is signed")
    return store.add_convention(
        operateur_id, exploitant_id, signed_on, ends_on, prefilter_delegated
    )


def declare_protocol(
    store: Store,
    operateur_id: int,
    name: str,
    role: str,
    tasks: list[str],
    declared_on: dt.date,
    ends_on: dt.date | None = None,
) -> int:
    """A protocole de coopération delegating medical tasks to a health professional role."""
    _operateur(store, operateur_id)
    protocol = delegation.CooperationProtocol(
        name=name.strip(),
        role=delegation.Role(role),
        tasks=frozenset(delegation.Task(t) for t in tasks),
        declared_on=declared_on,
        ends_on=ends_on,
    )
    delegation.require_protocol(protocol)
    return store.add_protocol(operateur_id, protocol)


def check_medical_closure(store: Store, operateur_id: int, role: str, day: dt.date) -> None:
    """`Refused` unless `role` may close an alert medically for this opérateur on `day`."""
    delegation.require_medical_closure(role, store.protocols(operateur_id), on=day)


def may_close_medically(store: Store, operateur_id: int, role: str, day: dt.date) -> bool:
    """What the alerts area asks before a medical closure (its `cooperation` flag)."""
    return delegation.may_close_medically(role, store.protocols(operateur_id), on=day)


def _operateur(store: Store, operateur_id: int) -> ports.Operateur:
    found = store.operateur(operateur_id)
    if found is None:
        raise NotFound(f"no opérateur {operateur_id}")
    return found
