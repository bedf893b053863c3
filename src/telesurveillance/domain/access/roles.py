"""The six roles of the platform and who acts: a `Principal` (an account or an API token).

A role is a set of permissions granted by the table in `permissions.yaml`, never an `if` in a
handler. The scopes (`patient_id`, `exploitant_id`) narrow what a principal may see inside the
routes its role opens: a patient sees only its own data, an exploitant only its own devices.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MEDECIN = "medecin"
    """Médecin opérateur: clinical data, alerts (including medical closure), care pathway."""
    SOIGNANT = "soignant"
    """Nurse: clinical data, alert pre-triage; no medical closure without a cooperation protocol."""
    FACTURATION = "facturation"
    """Secrétariat / billing: administrative and billing data, no clinical values."""
    EXPLOITANT = "exploitant"
    """DMN exploitant: its devices, observance and forfait technique only."""
    PATIENT = "patient"
    """The patient: its own data and its own device token."""
    ADMINISTRATEUR = "administrateur"
    """Administrator of the platform: accounts, tokens, audit trail; every route."""


class Kind(StrEnum):
    """How the principal authenticated."""

    ACCOUNT = "account"
    TOKEN = "token"
    CONSOLE = "console"
    """The command line on the server: it holds the database credentials already."""
    NIGHTSCOUT = "nightscout"
    """A patient's Nightscout site secret (services/nightscout/sites.py): a device principal
    scoped to that patient, on the Nightscout routes only."""
    LINK = "link"
    """An access link the care team gave a patient (services/patient_space/links.py): a
    session of role patient limited to that link's patient."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who performs a request, as resolved by authentication.

    `device` marks a device token: it may only call the routes the table marks `device: true`
    (writing Observations), and only for its `patient_id`.
    """

    kind: Kind
    id: int
    name: str
    role: Role
    patient_id: int | None = None
    exploitant_id: int | None = None
    device: bool = False
    device_id: int | None = None
    """The Device a device token was issued for (issue 17), when it names one: the sender of
    what it writes, which no body may override."""

    @property
    def subject(self) -> str:
        """A stable identifier for the audit trail: `account/3`, `token/12`."""
        return f"{self.kind.value}/{self.id}"

    def may_see_patient(self, patient_id: int) -> bool:
        """Scope check: a principal bound to a patient sees that patient only."""
        return self.patient_id is None or self.patient_id == patient_id

    def may_see_exploitant(self, exploitant_id: int) -> bool:
        """Scope check: a principal bound to an exploitant sees that exploitant only."""
        return self.exploitant_id is None or self.exploitant_id == exploitant_id


#: Who acts for the command line (`telesurveillance import`): the platform's administrator.
CONSOLE = Principal(Kind.CONSOLE, 0, "command line", Role.ADMINISTRATEUR)


def parse(value: str) -> Role:
    """The role named `value`; ValueError listing the valid names otherwise."""
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}: one of {names}") from None
