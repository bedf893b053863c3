"""Who may do what: medical tasks stay medical unless a protocole de coopération delegates them.

Seed 001 (ministry guide, § Conventions et délégation): non-medical tasks (therapeutic support,
pre-filtering of alerts) may be delegated, to a nurse of the team or to the exploitant under the
convention; medical tasks (analysis of data and alerts, closing an alert with a medical decision,
renewal) may not, except to a health professional under a protocole de coopération (art. L. 4011-1
CSP) declared by the opérateur.

The alerts area asks `may_close_medically(role, protocols)` with the protocols in force on the
day, for the opérateur following the patient, and enforces its own closure rules with the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from telesurveillance.domain.access import roles
from telesurveillance.domain.pathway import refusals

Refused = refusals.Refused
Role = roles.Role


class Task(StrEnum):
    MEDICAL_ANALYSIS = "analyse_medicale"
    ALERT_CLOSURE = "cloture_medicale_alerte"
    RENEWAL = "renouvellement"
    THERAPEUTIC_SUPPORT = "accompagnement_therapeutique"
    PREFILTER = "prefiltrage_alertes"


MEDICAL_TASKS = frozenset({Task.MEDICAL_ANALYSIS, Task.ALERT_CLOSURE, Task.RENEWAL})
#: Roles that are health professionals of the team: the only possible delegates of medical acts.
CARE_PROFESSIONALS = frozenset({Role.SOIGNANT})


@dataclass(frozen=True, slots=True)
class CooperationProtocol:
    """A protocole de coopération declared by the opérateur: `[declared_on, ends_on)`."""

    name: str
    role: Role
    tasks: frozenset[Task]
    declared_on: dt.date
    ends_on: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.declared_on <= day and (self.ends_on is None or day < self.ends_on)


def require_protocol(protocol: CooperationProtocol) -> None:
    """A protocol delegates medical tasks, to health professionals only."""
    if protocol.role not in CARE_PROFESSIONALS:
        raise Refused(
            "delegation.protocol_delegate",
            f"a protocole de coopération cannot delegate to a {protocol.role.value}",
            refusals.COOPERATION,
        )
    if not protocol.tasks:
        raise Refused(
            "delegation.protocol_tasks", "the protocol delegates no task", refusals.COOPERATION
        )
    if protocol.ends_on is not None and protocol.ends_on <= protocol.declared_on:
        raise Refused(
            "delegation.protocol_dates",
            "the protocol must end after it starts",
            refusals.COOPERATION,
        )


def may_perform(
    role: Role | str,
    task: Task,
    protocols: Iterable[CooperationProtocol],
    *,
    prefilter_delegated: bool = False,
    on: dt.date | None = None,
) -> bool:
    """May `role` perform `task`, given the protocols (those in force `on` that day, when a day
    is given) and whether the convention delegates pre-filtering to the exploitant?"""
    who = Role(role)
    if on is not None:
        protocols = [p for p in protocols if p.in_force(on)]
    if who is Role.MEDECIN:
        return True
    if task in MEDICAL_TASKS:
        return who in CARE_PROFESSIONALS and any(
            p.role is who and task in p.tasks for p in protocols
        )
    if task is Task.PREFILTER:
        return who in CARE_PROFESSIONALS or (who is Role.EXPLOITANT and prefilter_delegated)
    # therapeutic support: any health professional of the team
    return who in CARE_PROFESSIONALS


def may_close_medically(
    role: Role | str, protocols: Iterable[CooperationProtocol], *, on: dt.date | None = None
) -> bool:
    """A médecin closes an alert medically; a nurse only under a protocol delegating it."""
    return may_perform(role, Task.ALERT_CLOSURE, protocols, on=on)


def require_medical_closure(
    role: Role | str, protocols: Iterable[CooperationProtocol], *, on: dt.date | None = None
) -> None:
    """`Refused` when `role` may not close an alert medically."""
    if not may_close_medically(role, protocols, on=on):
        raise Refused(
            "delegation.medical_closure",
            f"a {Role(role).value} cannot close an alert medically: medical task, "
            "not delegated by a protocole de coopération in force",
            refusals.COOPERATION,
        )
