"""The life of an alert: open → acknowledged → closed with a decision, and who may do what.

Medical closure belongs to medical staff. A nurse (`soignant`) closes only under a protocole de
coopération (article 51 of loi n° 2009-879 « HPST », Code de la santé publique art. L4011-1 and
following, https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000043501395) that delegates
it: whether one is in force is read by the alerts service from the protocols stored for the
opérateur (`domain.pathway.delegation`), never stated by the caller. The exploitant never decides
medically: where its convention with the opérateur delegates it, it records a pre-filter verdict
(artefact or not) kept apart from the medical decision.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class Decision(StrEnum):
    NO_ACTION = "no_action"
    PATIENT_CALLED = "patient_called"
    TREATMENT_ADJUSTED = "treatment_adjusted"
    REFERRED = "referred"
    ARTEFACT = "artefact"


class Role(StrEnum):
    """The acting user's role (same values as the accounts' roles)."""

    MEDECIN = "medecin"
    SOIGNANT = "soignant"
    EXPLOITANT = "exploitant"
    FACTURATION = "facturation"
    PATIENT = "patient"
    ADMINISTRATEUR = "administrateur"


class Verdict(StrEnum):
    """The exploitant's pre-filter verdict on an alert."""

    ARTEFACT = "artefact"
    NOT_ARTEFACT = "not_artefact"


CARE_TEAM = frozenset({Role.MEDECIN, Role.SOIGNANT})


class Refused(Exception):
    """The actor may not make this change (a 403, not a conflict)."""


class Conflict(Exception):
    """The alert is no longer in the state the change expected (someone else acted first)."""

    def __init__(self, alert_id: int, expected: Status | tuple[Status, ...], found: str) -> None:
        wanted = expected if isinstance(expected, Status) else " or ".join(expected)
        super().__init__(
            f"alert {alert_id} is {found}, not {wanted}: another user changed it first"
        )
        self.alert_id = alert_id
        self.found = found


def check_acknowledge(role: Role) -> None:
    if role not in CARE_TEAM:
        raise Refused(f"a {role.value} cannot acknowledge an alert (care team only)")


def check_assign(role: Role) -> None:
    """Assigning an alert to a team member is the care team's (médecin or soignant)."""
    if role not in CARE_TEAM:
        raise Refused(f"a {role.value} cannot assign an alert (care team only)")


def check_close(role: Role, *, delegated: bool) -> None:
    """Only a médecin closes medically; a soignant only when a protocole de coopération stored
    for the opérateur and in force that day delegates the closure to her role (`delegated`)."""
    if role is Role.MEDECIN:
        return
    if role is Role.SOIGNANT and delegated:
        return
    if role is Role.SOIGNANT:
        raise Refused(
            "a soignant closes an alert only under a protocole de coopération in force today "
            "that delegates the medical closure (none is recorded for this opérateur)"
        )
    raise Refused(f"a {role.value} cannot close an alert: medical staff only")


def check_prefilter(role: Role, *, delegated: bool) -> None:
    if role is not Role.EXPLOITANT:
        raise Refused("the pre-filter verdict is the exploitant's (the care team closes instead)")
    if not delegated:
        raise Refused("the convention does not delegate the artefact pre-filter to the exploitant")


def closable_from() -> tuple[Status, Status]:
    return (Status.OPEN, Status.ACKNOWLEDGED)
