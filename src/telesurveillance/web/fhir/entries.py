"""A Bundle (`POST /fhir`) parsed once into typed entries, each standing for the route it
would be on its own.

The Bundle must be of type `batch` or `transaction`, its `entry` a list; each entry an object
holding a `request` (FHIR R4 Bundle.entry.request, required) and, but for a DELETE, a
`resource` (an object with a `resourceType` served here). `POST` creates: its `url` names the
resource's type. `PUT` and `DELETE` correct a reading (issue 17): their `url` is
`Observation/{id}`, as `PUT`/`DELETE /fhir/Observation/{id}` take it (`web/fhir/updates.py`);
a PUT's resource is an Observation. Anything else refuses the whole Bundle with a 4xx
OperationOutcome naming the element (`Bundle.entry[2].request.method`), before anything is
judged or written.

An entry POSTing a resource stands for that type's create route (`fhir.observation.create`,
`fhir.organization.create`, ...), a PUT or DELETE of an Observation for
`fhir.observation.update` or `fhir.observation.delete`: it is judged with that route's
permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telesurveillance.adapters.fhir import observations, outcome
from telesurveillance.domain.access import writes
from telesurveillance.web.fhir import registry

READING_TYPES = ("Observation", "QuestionnaireResponse")
TYPES = (*registry.KINDS, *READING_TYPES)
KINDS = ("batch", "transaction")
UPDATE = "fhir.observation.update"
DELETE = "fhir.observation.delete"
METHODS = ("POST", "PUT", "DELETE")


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    resource: dict[str, Any]
    full_url: str | None = None
    condition: str | None = None
    """`request.ifNoneExist`: a conditional create (`fhir_registry`)."""
    method: str = "POST"
    target: str | None = None
    """The id a PUT or DELETE names (`Observation/{id}`)."""

    @property
    def resource_type(self) -> str:
        return str(self.resource["resourceType"])

    @property
    def route(self) -> str:
        """The route this entry stands for, whose permission it needs."""
        if self.method == "PUT":
            return UPDATE
        if self.method == "DELETE":
            return DELETE
        return writes.create_route(self.resource_type)

    @property
    def action(self) -> observations.Action:
        """What the entry does with its readings: a POST stores (first value wins), a PUT
        replaces (withdraws when `entered-in-error`), a DELETE withdraws."""
        if self.method == "DELETE":
            return observations.Action.WITHDRAW
        if self.method == "PUT":
            found = observations.action(self.resource)
            if found is observations.Action.WITHDRAW:
                return found
            return observations.Action.REPLACE
        return observations.Action.STORE

    @property
    def is_reading(self) -> bool:
        return self.resource_type in READING_TYPES

    @property
    def where(self) -> str:
        return f"Bundle.entry[{self.index}]"


def parse(document: dict[str, Any]) -> tuple[str, list[Entry]]:
    """(`batch` or `transaction`, the entries) of a Bundle document."""
    if document.get("resourceType") != "Bundle":
        raise outcome.Invalid(
            f"POST /fhir takes a Bundle, not {document.get('resourceType')!r}",
            "resourceType",
            code="not-supported",
        )
    kind = document.get("type")
    if kind not in KINDS:
        raise outcome.Invalid(
            f"Bundle.type {kind!r}: only batch and transaction are processed",
            "Bundle.type",
            code="not-supported",
        )
    entries = document.get("entry", [])
    if not isinstance(entries, list):
        raise _structure("Bundle.entry must be a list of entries", "Bundle.entry")
    return str(kind), [_entry(i, e) for i, e in enumerate(entries)]


def _structure(diagnostics: str, where: str) -> outcome.Invalid:
    return outcome.Invalid(diagnostics, where, status=400, code="structure")


def _entry(i: int, entry: Any) -> Entry:
    where = f"Bundle.entry[{i}]"
    if not isinstance(entry, dict):
        raise _structure("an entry must be an object", where)
    full_url = entry.get("fullUrl")
    if full_url is not None and not isinstance(full_url, str):
        raise _structure("fullUrl must be a string", f"{where}.fullUrl")
    request = entry.get("request")
    method = _method(request, f"{where}.request")
    if method == "DELETE":
        target = _target(request, f"{where}.request")
        return Entry(i, {"resourceType": "Observation"}, full_url, None, method, target)
    resource = entry.get("resource")
    if not isinstance(resource, dict):
        raise _structure("the entry's resource must be an object (a FHIR resource)", where)
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str):
        raise _structure("the resource has no resourceType", f"{where}.resource.resourceType")
    if rtype not in TYPES:
        raise outcome.Invalid(
            f"{rtype!r} entries are not supported: {', '.join(TYPES)}",
            f"{where}.resource.resourceType",
            code="not-supported",
        )
    if method == "PUT":
        if rtype != "Observation":
            raise outcome.Invalid(
                f"request.method PUT: only Observation entries are updated in a Bundle, not "
                f"{rtype} (use PUT /fhir/{rtype}/{{id}})",
                f"{where}.request.method",
                code="not-supported",
            )
        target = _target(request, f"{where}.request")
        return Entry(i, resource, full_url, None, method, target)
    condition = _request(request, rtype, f"{where}.request")
    return Entry(i, resource, full_url, condition)


def _method(request: Any, where: str) -> str:
    if not isinstance(request, dict):
        raise _structure("the entry's request must be an object (method, url)", where)
    method = request.get("method")
    if not isinstance(method, str):
        raise _structure("request.method is required", f"{where}.method")
    if method not in METHODS:
        raise outcome.Invalid(
            f"request.method {method!r}: only POST (create), PUT and DELETE (an Observation's "
            "correction) entries are supported",
            f"{where}.method",
            code="not-supported",
        )
    return method


def _target(request: Any, where: str) -> str:
    """The id of `Observation/{id}` in a PUT's or DELETE's url."""
    assert isinstance(request, dict)  # _method checked it
    url = request.get("url")
    if not isinstance(url, str):
        raise _structure("request.url is required (Observation/{id})", f"{where}.url")
    parts = url.split("?", 1)[0].strip("/").split("/")
    if len(parts) < 2 or parts[-2] != "Observation" or not parts[-1]:
        raise outcome.Invalid(
            f"request.url {url!r}: a {request.get('method')} entry names Observation/{{id}}",
            f"{where}.url",
            code="not-supported",
        )
    return parts[-1]


def _request(request: Any, rtype: str, where: str) -> str | None:
    """Check a POST entry's request; its `ifNoneExist` condition, if any."""
    assert isinstance(request, dict)  # _method checked it
    url = request.get("url")
    if not isinstance(url, str):
        raise _structure("request.url is required (the resource type)", f"{where}.url")
    named = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if named != rtype:
        raise outcome.Invalid(
            f"request.url {url!r} does not name the entry's resource type {rtype}",
            f"{where}.url",
        )
    condition = request.get("ifNoneExist")
    if condition is not None and not isinstance(condition, str):
        raise _structure("ifNoneExist must be a string", f"{where}.ifNoneExist")
    return condition
