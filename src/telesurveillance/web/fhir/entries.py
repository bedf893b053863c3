"""A Bundle (`POST /fhir`) parsed once into typed entries, each standing for the route it
would be on its own.

The Bundle must be of type `batch` or `transaction`, its `entry` a list; each entry an object
holding a `resource` (an object with a `resourceType` served here) and a `request` whose
`method` is `POST` and whose `url` names the resource's type (FHIR R4 Bundle.entry.request,
both required). Anything else refuses the whole Bundle with a 4xx OperationOutcome naming the
element (`Bundle.entry[2].request.method`), before anything is judged or written.

An entry POSTing a resource stands for that type's create route (`fhir.observation.create`,
`fhir.organization.create`, ...): it is judged with that route's permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telesurveillance.adapters.fhir import outcome
from telesurveillance.domain.access import writes
from telesurveillance.web.fhir import registry

READING_TYPES = ("Observation", "QuestionnaireResponse")
TYPES = (*registry.KINDS, *READING_TYPES)
KINDS = ("batch", "transaction")


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    resource: dict[str, Any]
    full_url: str | None = None
    condition: str | None = None
    """`request.ifNoneExist`: a conditional create (`fhir_registry`)."""

    @property
    def resource_type(self) -> str:
        return str(self.resource["resourceType"])

    @property
    def route(self) -> str:
        """The route this entry stands for, whose permission it needs."""
        return writes.create_route(self.resource_type)

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
    condition = _request(entry.get("request"), rtype, f"{where}.request")
    full_url = entry.get("fullUrl")
    if full_url is not None and not isinstance(full_url, str):
        raise _structure("fullUrl must be a string", f"{where}.fullUrl")
    return Entry(i, resource, full_url, condition)


def _request(request: Any, rtype: str, where: str) -> str | None:
    """Check the entry's request; its `ifNoneExist` condition, if any."""
    if not isinstance(request, dict):
        raise _structure("the entry's request must be an object (method, url)", where)
    method = request.get("method")
    if not isinstance(method, str):
        raise _structure("request.method is required", f"{where}.method")
    if method != "POST":
        raise outcome.Invalid(
            f"request.method {method!r}: only POST (create) entries are supported",
            f"{where}.method",
            code="not-supported",
        )
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
