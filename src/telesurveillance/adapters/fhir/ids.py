"""Logical ids and references.

Patients, practitioners and devices have the decimal string of their surrogate key as FHIR id.
Organizations live in two tables (opérateurs and exploitants), so their id says which: `op-12`,
`ex-3`. An Observation is a stored reading (or a panel of readings at one instant) and has no
surrogate key: its id encodes the reading's primary key reversibly, `p{patient}-k{kind}-t{ts}`
(`k2.3` for a panel whose components are kinds 2 and 3), which fits FHIR's id rule
`[A-Za-z0-9\\-\\.]{1,64}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telesurveillance.adapters.fhir import outcome

# ASCII digits only: `\d` and `str.isdigit` also match other scripts' digits and `²`, which
# `int` reads differently or refuses (a ValueError, once a 500).
_OBSERVATION = re.compile(r"p([0-9]{1,18})-k([0-9]{1,5}(?:\.[0-9]{1,5})*)-t(-?[0-9]{1,19})")
_NUMBER = re.compile(r"[1-9][0-9]{0,17}")
_DECIMAL = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True, slots=True)
class ObservationKey:
    patient_id: int
    kinds: tuple[int, ...]
    ts: int


def observation(patient_id: int, kinds: tuple[int, ...], ts: int) -> str:
    return f"p{patient_id}-k{'.'.join(str(k) for k in kinds)}-t{ts}"


def parse_observation(text: str) -> ObservationKey | None:
    found = _OBSERVATION.fullmatch(text)
    if found is None:
        return None
    kinds = tuple(int(k) for k in found.group(2).split("."))
    return ObservationKey(int(found.group(1)), kinds, int(found.group(3)))


def decimal(text: str) -> int | None:
    """The value of a plain decimal of at most 18 ASCII digits (it fits 64 bits), else None."""
    return int(text) if _DECIMAL.fullmatch(text) else None


def number(text: str) -> int | None:
    """The surrogate key behind a numeric id, or None when `text` is not one."""
    return int(text) if _NUMBER.fullmatch(text) else None


def reference(text: str | None, resource_type: str, expression: str) -> int:
    """The key of a literal reference `Patient/12` (absolute URLs ending so are accepted)."""
    if not text:
        raise outcome.Invalid(
            f"a reference to a {resource_type} is required", expression, code="required"
        )
    parts = text.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type:
        key = number(parts[-1])
        if key is not None:
            return key
    raise outcome.Invalid(
        f"reference {text!r} is not a {resource_type} of this server ({resource_type}/<id>)",
        expression,
    )


#: Organization id prefixes: which table the organization lives in.
ORGANIZATION_PREFIXES = {"op": "operateur", "ex": "exploitant"}


def parse_organization(text: str) -> tuple[str, int] | None:
    prefix, _, rest = text.partition("-")
    role = ORGANIZATION_PREFIXES.get(prefix)
    key = number(rest)
    if role is None or key is None:
        return None
    return role, key


def organization_id(role: str, key: int) -> str:
    return f"{'op' if role == 'operateur' else 'ex'}-{key}"


def organization(text: str | None, expression: str) -> tuple[str, int]:
    """(role, key) of a reference `Organization/op-3` or `Organization/ex-1`."""
    parts = (text or "").rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == "Organization":
        found = parse_organization(parts[-1])
        if found is not None:
            return found
    raise outcome.Invalid(
        f"reference {text!r} is not an Organization of this server (op-<id> or ex-<id>)",
        expression,
    )
