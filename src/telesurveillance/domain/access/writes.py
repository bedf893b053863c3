"""Authorisation of what a request writes, judged on the very objects that will be written.

A handler parses its body once into the objects it will write (the readings of one
Observation, each entry of a Bundle, each line of an NDJSON import). A `Judge` made for the
request's principal judges each object:

- as the route it stands for, through the role × route table: a Bundle entry POSTing an
  Organization is judged as `fhir.organization.create`, exactly as `POST /fhir/Organization`;
- against the principal's patient scope, on the patients whose data the object writes (the
  readings *as parsed*, after every reference was resolved): a patient or its device token
  writes about that patient only, and an object naming no patient is refused to them.

What passes comes back as an `Authorised`, the only input the write functions take; nothing
but a `Judge` can build one (a private key is checked at construction). So a handler cannot
write an object that was not judged, and the objects judged are the objects written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Generic, TypeVar

from telesurveillance.domain.access import matrix, roles

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_KEY = object()
_UNJUDGED = object()


class Why(StrEnum):
    ROLE = "role"
    """The principal's role (or a device token) may not do what the route does."""
    SCOPE = "scope"
    """The object writes about a patient outside the principal's patient scope."""


@dataclass(frozen=True, slots=True)
class Refusal:
    why: Why
    message: str
    patients: frozenset[int] = frozenset()
    """The patients outside the scope that the refused object named."""


class Authorised(Generic[T_co]):
    """An object a `Judge` allowed: `value` (what will be written), the `route` it was judged
    as and the `patients` whose data it writes. Its fields are final (mypy refuses a
    reassignment): what was judged is what is written."""

    __slots__ = ("patients", "route", "value")

    def __init__(self, key: object, route: str, patients: frozenset[int], value: T_co) -> None:
        if key is not _KEY:
            raise TypeError("an Authorised is made by writes.Judge.grant only")
        # plain slot stores: one is made per NDJSON line, on the bulk path
        self.route: Final = route
        self.patients: Final = patients
        self.value: Final = value


def create_route(resource_type: str) -> str:
    """The route that creates a `resource_type` (the FHIR API names its routes so:
    `POST /fhir/Observation` is `fhir.observation.create`): what an NDJSON line or a Bundle
    entry POSTing such a resource stands for."""
    return f"fhir.{resource_type.lower()}.create"


class Judge:
    """The authorisation of the writes of one principal (one per request).

    It remembers the patients named by the objects it refused for scope (`refused`): the audit
    trail names them, with the patients actually written.
    """

    def __init__(self, table: matrix.Matrix, who: roles.Principal) -> None:
        self.table = table
        self.who = who
        self.refused: set[int] = set()
        self._routes: dict[str, Refusal | None] = {}  # the table's answer, per route

    def route(self, name: str) -> Refusal | None:
        """None when the role × route table lets the principal do what route `name` does."""
        if name not in self._routes:
            allowed = self.table.decide(name, self.who) is matrix.Decision.ALLOW
            self._routes[name] = None if allowed else Refusal(Why.ROLE, self._forbidden(name))
        return self._routes[name]

    def grant(self, route: str, patients: Iterable[int], value: T) -> Authorised[T] | Refusal:
        """`value`, judged as route `route` writing the data of `patients`."""
        refused = self._routes.get(route, _UNJUDGED)
        if refused is _UNJUDGED:
            refused = self.route(route)
        if refused is not None:
            assert isinstance(refused, Refusal)
            return refused
        named = frozenset(patients)  # the same object when given a frozenset
        scope = self.who.patient_id
        if scope is not None:
            rule = self.table.rule(route)
            if not named and (rule is None or rule.patient_data):
                return Refusal(Why.SCOPE, "names no patient: outside your patient scope")
            outside = named - {scope}
            if outside:
                self.refused |= outside
                first = min(outside)
                message = f"Patient/{first} is outside your patient scope"
                return Refusal(Why.SCOPE, message, frozenset(outside))
        return Authorised(_KEY, route, named, value)

    def _forbidden(self, route: str) -> str:
        if self.who.device:
            return f"a device token may not do {route}"
        return f"the role {self.who.role.value} may not do {route}"
