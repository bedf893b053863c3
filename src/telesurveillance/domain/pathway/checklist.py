"""The set-up checklist: what still blocks the first forfait, judged by the billing rules.

Each item names the rule the billing engine would apply to the first period (the same ids as
`domain.billing.rules` and `domain.pathway.prescription`), whether it holds on `day`, and the
text behind it. A *blocking* item makes every period refused; a *warning* does not block billing
but will (a certificate about to expire) or limits the team (no protocole de coopération: a
nurse cannot close an alert medically; a member without a log-in cannot sign anything).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from telesurveillance.domain.billing import model
from telesurveillance.domain.pathway import delegation, organisation, prescription, refusals
from telesurveillance.domain.regulation import catalogue, store


class Status(StrEnum):
    OK = "ok"
    BLOCKING = "blocking"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Operateur:
    id: int
    name: str
    ars_declared_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str
    profession: str
    rpps: str | None
    speciality: str | None
    has_account: bool


@dataclass(frozen=True, slots=True)
class Dmn:
    id: int
    name: str
    exploitant_id: int
    device: model.Dmn


@dataclass(frozen=True, slots=True)
class Convention:
    exploitant_id: int
    span: model.Convention


@dataclass(frozen=True, slots=True)
class Organisation:
    """What the opérateur has declared so far (None: no opérateur yet)."""

    operateur: Operateur | None
    members: Sequence[Member] = ()
    dmns: Sequence[Dmn] = ()
    conventions: Sequence[Convention] = ()
    protocols: Sequence[delegation.CooperationProtocol] = ()


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the checklist: the rule, its status on the day, the facts behind it (names
    of what is missing or about to lapse), and the citation of the text that requires it."""

    rule: str
    status: Status
    cite: str
    facts: dict[str, str] = field(default_factory=dict)


def judge(regulation: store.Regulation, org: Organisation, day: dt.date) -> list[Item]:
    """Every item of the checklist on `day`, in the order a team sets things up."""
    return [
        _ars(regulation, org, day),
        _prescriber(regulation, org, day),
        _certificate(regulation, org, day),
        _expiry(regulation, org, day),
        _convention(regulation, org, day),
        _accounts(org),
        _protocol(org, day),
    ]


def blocking(items: Sequence[Item]) -> list[Item]:
    return [i for i in items if i.status is Status.BLOCKING]


def _ars(regulation: store.Regulation, org: Organisation, day: dt.date) -> Item:
    """L. 162-51 / R. 162-105 CSS: billing opens with the ARS receipt."""
    rule = "prerequisite.ars_declaration"
    cite = refusals.rule_cite(regulation, rule, day)
    if org.operateur is None:
        return Item(rule, Status.BLOCKING, cite, {"missing": "operateur"})
    declared = org.operateur.ars_declared_on
    if declared is None:
        return Item(rule, Status.BLOCKING, cite, {"missing": "receipt"})
    if declared > day:
        return Item(rule, Status.BLOCKING, cite, {"declared": declared.isoformat()})
    return Item(rule, Status.OK, cite, {"declared": declared.isoformat()})


def _qualified(
    regulation: store.Regulation, member: Member, indication: catalogue.Indication, day: dt.date
) -> bool:
    try:
        prescription.require_prescriber(
            regulation, indication, day, member.profession, member.speciality
        )
    except refusals.Refused:
        return False
    return member.rpps is not None


def _prescriber(regulation: store.Regulation, org: Organisation, day: dt.date) -> Item:
    """R. 162-100 CSS: a physician of the team, identified by RPPS, qualified for the activity."""
    rule = "prescription.prescriber_qualification"
    listed = [i for i in catalogue.Indication if _listed(regulation, i, day)]
    covered = [
        i.value for i in listed if any(_qualified(regulation, m, i, day) for m in org.members)
    ]
    first = listed[0] if listed else next(iter(catalogue.Indication))
    cite = prescription.rules(regulation, first, day)[1]
    uncovered = [i.value for i in listed if i.value not in covered]
    facts = {"covered": ", ".join(covered), "uncovered": ", ".join(uncovered)}
    return Item(rule, Status.OK if covered else Status.BLOCKING, cite, facts)


def _listed(regulation: store.Regulation, indication: catalogue.Indication, day: dt.date) -> bool:
    try:
        organisation.require_listed(regulation, indication, day)
    except refusals.Refused:
        return False
    return True


def _certified(org: Organisation, day: dt.date) -> list[Dmn]:
    return [d for d in org.dmns if d.device.certified_on(day)]


def _certificate(regulation: store.Regulation, org: Organisation, day: dt.date) -> Item:
    """Décret 2022-1767 art. 3: only a DMN with a valid ANS certificate is billed."""
    rule = "prerequisite.certificate"
    cite = refusals.rule_cite(regulation, rule, day)
    certified = _certified(org, day)
    others = [d.name for d in org.dmns if d not in certified]
    facts = {"certified": ", ".join(d.name for d in certified), "uncertified": ", ".join(others)}
    return Item(rule, Status.OK if certified else Status.BLOCKING, cite, facts)


def _expiry(regulation: store.Regulation, org: Organisation, day: dt.date) -> Item:
    """A certificate that ends within one billing period from `day` (the period it ends in is
    still due; the next ones are not): warn now, while there is time to renew it."""
    rule = "prerequisite.certificate_expires_in_period"
    cite = refusals.rule_cite(regulation, rule, day)
    days = regulation.get("periodes.duree_jours", int).at_or_first(day).value
    horizon = day + dt.timedelta(days=days)
    soon = [
        d
        for d in _certified(org, day)
        if d.device.certified_until is not None and d.device.certified_until < horizon
    ]
    facts = {
        "expiring": ", ".join(
            f"{d.name} ({d.device.certified_until.isoformat()})"
            for d in soon
            if d.device.certified_until is not None
        ),
        "days": str(days),
    }
    return Item(rule, Status.WARNING if soon else Status.OK, cite, facts)


def _convention(regulation: store.Regulation, org: Organisation, day: dt.date) -> Item:
    """R. 162-99 CSS: a convention with the exploitant of a certified DMN covers `day`."""
    rule = "prerequisite.convention"
    cite = refusals.rule_cite(regulation, rule, day)
    covered = {c.exploitant_id for c in org.conventions if c.span.covers(day)}
    usable = [d.name for d in _certified(org, day) if d.exploitant_id in covered]
    without = [d.name for d in org.dmns if d.exploitant_id not in covered]
    facts = {"under_convention": ", ".join(usable), "without": ", ".join(without)}
    return Item(rule, Status.OK if usable else Status.BLOCKING, cite, facts)


def _accounts(org: Organisation) -> Item:
    """Every member who acts in the platform acts under their own log-in (traceability of
    access to health data, CSP art. L. 1111-8): a member without an account cannot attest,
    prescribe or sign in the workspace."""
    missing = [m.name for m in org.members if not m.has_account]
    status = Status.WARNING if missing or not org.members else Status.OK
    facts = {"missing": ", ".join(missing)}
    return Item("setup.member_accounts", status, refusals.PROJECT_CHOICE, facts)


def _protocol(org: Organisation, day: dt.date) -> Item:
    """A nurse of the team closes alerts medically only under a protocole de coopération."""
    nurses = [m.name for m in org.members if m.profession != "medecin"]
    in_force = [p.name for p in org.protocols if p.in_force(day)]
    status = Status.WARNING if nurses and not in_force else Status.OK
    facts = {"nurses": ", ".join(nurses), "protocols": ", ".join(in_force)}
    return Item("delegation.protocol", status, refusals.COOPERATION, facts)
