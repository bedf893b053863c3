"""The role × route permission table (`permissions.yaml`), loaded strictly.

Every route of the application is named (`name=` on the route); the table says, per route name,
which roles may call it, whether it reads or writes patient data (then every call is written to
the audit trail) and where the request names the patient or the exploitant (then a principal
scoped to one patient or one exploitant is refused any other). The rule is *default deny*: a
route missing from the table is refused to every role but `administrateur`, and the matrix test
lists it, so a new route cannot escape review.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

import yaml

from telesurveillance.domain.access import roles

Role = roles.Role

_RULE_KEYS = {
    "allow",
    "patient_data",
    "device",
    "patient_param",
    "patient_in_body",
    "exploitant_param",
    "patient_self",
    "action",
    "audited",
}
_ACTIONS = {"C", "R", "U", "D", "E"}


class MatrixError(ValueError):
    """The permission table is malformed."""


class Decision(StrEnum):
    ALLOW = "allow"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True, slots=True)
class Rule:
    """What the table says about one route."""

    name: str
    allow: frozenset[Role]
    patient_data: bool
    device: bool = False
    patient_params: tuple[str, ...] = ()
    """Path or query parameters naming the patient: a principal scoped to a patient must name
    itself in at least one of them, and in every one it uses."""
    patient_in_body: bool = False
    """The body names the patients (what the route writes): the handler parses it once and has
    every object judged (`writes.Judge`: as the route it stands for, and on the patients it
    writes), so a patient-scoped principal only writes about itself. The gate itself refuses
    a patient-scoped principal any patient-data route that neither names the patient in its
    parameters nor is marked so."""
    exploitant_param: str | None = None
    patient_self: bool = False
    """The route acts on the caller's own patient only (the patient's page): it names no
    patient, the handler takes the patient from the principal alone; a patient-scoped
    principal may call it."""
    action: str | None = None
    """FHIR AuditEvent action (C R U D E) when the HTTP method does not say it (a POST search)."""
    audited: bool = False
    """Every call is written to the audit trail although the route touches no patient data: the
    administration of accounts, tokens and the organisation (who gave whom which access)."""

    @property
    def traced(self) -> bool:
        """Is every call of this route written to the audit trail?"""
        return self.patient_data or self.audited


@dataclass(frozen=True, slots=True)
class Matrix:
    public: frozenset[str]
    rules: dict[str, Rule]

    def rule(self, name: str) -> Rule | None:
        return self.rules.get(name)

    def is_public(self, name: str) -> bool:
        return name in self.public

    def decide(self, name: str | None, principal: roles.Principal | None) -> Decision:
        """May `principal` (None: anonymous) call the route named `name`?"""
        if name is not None and name in self.public:
            return Decision.ALLOW
        if principal is None:
            return Decision.UNAUTHENTICATED
        rule = self.rules.get(name) if name is not None else None
        if principal.device:
            # A device token writes Observations for its patient, nothing else.
            ok = rule is not None and rule.device
            return Decision.ALLOW if ok else Decision.FORBIDDEN
        if principal.role is Role.ADMINISTRATEUR:
            return Decision.ALLOW
        if rule is None or principal.role not in rule.allow:
            return Decision.FORBIDDEN
        return Decision.ALLOW


def _roles(value: Any, where: str) -> frozenset[Role]:
    if value == "any":
        return frozenset(Role)
    if not isinstance(value, list):
        raise MatrixError(f"{where}: allow must be a list of roles or 'any'")
    try:
        return frozenset(roles.parse(str(v)) for v in value)
    except ValueError as exc:
        raise MatrixError(f"{where}: {exc}") from None


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MatrixError(f"{where}: patient_param must be a name or a list of names")


def _rule(name: str, body: Any) -> Rule:
    if not isinstance(body, dict):
        raise MatrixError(f"{name}: expected a mapping")
    unknown = set(body) - _RULE_KEYS
    if unknown:
        raise MatrixError(f"{name}: unknown keys {sorted(unknown)}")
    if "allow" not in body or "patient_data" not in body:
        raise MatrixError(f"{name}: 'allow' and 'patient_data' are required")
    if not isinstance(body["patient_data"], bool):
        raise MatrixError(f"{name}: patient_data must be true or false")
    action = body.get("action")
    if action is not None and action not in _ACTIONS:
        raise MatrixError(f"{name}: action must be one of {sorted(_ACTIONS)}")
    if not isinstance(body.get("audited", False), bool):
        raise MatrixError(f"{name}: audited must be true or false")
    return Rule(
        name=name,
        allow=_roles(body["allow"], name),
        patient_data=body["patient_data"],
        device=bool(body.get("device", False)),
        patient_params=_names(body.get("patient_param"), name),
        patient_in_body=bool(body.get("patient_in_body", False)),
        exploitant_param=body.get("exploitant_param"),
        patient_self=bool(body.get("patient_self", False)),
        action=action,
        audited=body.get("audited", False),
    )


def parse(text: str) -> Matrix:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) - {"public", "routes"}:
        raise MatrixError("expected the keys 'public' and 'routes' only")
    public = frozenset(str(n) for n in data.get("public") or [])
    routes = data.get("routes") or {}
    if not isinstance(routes, dict):
        raise MatrixError("'routes' must be a mapping of route name to rule")
    both = public & set(routes)
    if both:
        raise MatrixError(f"routes both public and ruled: {sorted(both)}")
    return Matrix(public, {str(n): _rule(str(n), b) for n, b in routes.items()})


@functools.cache
def packaged() -> Matrix:
    """The table shipped with the platform."""
    text = resources.files(__package__).joinpath("permissions.yaml").read_text("utf-8")
    return parse(text)
