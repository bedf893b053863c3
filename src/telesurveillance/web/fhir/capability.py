"""What the FHIR API says about itself: `GET /fhir/metadata` (the CapabilityStatement) and the
OperationDefinition of `$import` (`GET /fhir/OperationDefinition/import`, the canonical URL the
statement gives for the operation, so it resolves).

The statement is built from the routes the application really serves under `/fhir` (every
module's: the FHIR API, the alerts' DetectedIssue and Flag views, the security module's
AuditEvent export), so what the server says it does is what it does. An interaction is read off
each route's method and path (`POST /fhir/X` create, `GET /fhir/X` search-type, `GET
/fhir/X/{id}` read, `PUT /fhir/X/{id}` update, `POST /fhir` batch and transaction, `POST
/fhir/$op` an operation); search parameters are those of `SEARCH_PARAMS` for the handlers that
read the raw query, else the route's declared query parameters.

Its `date` and `software.version` are those of the installed package: the version of the
distribution and the day its metadata file was written (the day this build was installed),
never a literal in the code.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, routing
from fastapi.responses import Response

from telesurveillance.adapters.fhir import outcome
from telesurveillance.web.fhir import http

PREFIX = "/fhir"
DISTRIBUTION = "telesurveillance"

#: Search parameters of the handlers that read the raw query (documented in docs/fhir-api.md).
SEARCH_PARAMS = {
    "Patient": ("_id", "identifier", "family", "name", "birthdate", "gender", "_count"),
    "Practitioner": ("_id", "identifier", "family", "name", "_count"),
    "Organization": ("_id", "identifier", "name", "type", "_count"),
    "Device": ("_id", "identifier", "patient", "status", "_count"),
    "Observation": ("patient", "subject", "code", "date", "_count"),
}
_PARAM_TYPES = {
    "_id": "token",
    "identifier": "token",
    "family": "string",
    "name": "string",
    "birthdate": "date",
    "gender": "token",
    "type": "token",
    "patient": "reference",
    "subject": "reference",
    "status": "token",
    "code": "token",
    "date": "date",
    "_count": "number",
    "before": "number",
}
#: Types whose rows carry a version (`meta.versionId`, `If-Match`).
VERSIONED = ("Patient", "Device")
#: Types whose create honours `If-None-Exist` (web/fhir/registry.py).
CONDITIONAL_CREATE = ("Patient", "Practitioner", "Organization", "Device")


@functools.cache
def release() -> tuple[str, str]:
    """(version, date) of the installed distribution: the date its METADATA file was written
    (UTC day), or, when the package runs uninstalled, that of the package's own source."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
        version = dist.version
        files = [f for f in dist.files or [] if f.name == "METADATA"]
        path = Path(str(files[0].locate())) if files else Path(__file__)
    except importlib.metadata.PackageNotFoundError:
        version, path = "unknown", Path(__file__)
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        stamp = os.stat(__file__).st_mtime
    return version, dt.datetime.fromtimestamp(stamp, dt.UTC).date().isoformat()


def _interaction(method: str, path: str) -> tuple[str | None, str] | None:
    """(resource type or None for the system, interaction or `$operation`) of a FHIR route."""
    parts = [p for p in path[len(PREFIX) :].split("/") if p]
    if not parts:
        return (None, "batch") if method == "POST" else None
    if parts[0].startswith("$"):
        return None, parts[0]
    if parts[0] == "metadata" or not parts[0][:1].isupper() or len(parts) > 2:
        return None
    if len(parts) == 1:
        return {"GET": (parts[0], "search-type"), "POST": (parts[0], "create")}.get(method)
    if not parts[1].startswith("{"):
        return None
    verbs = {"GET": "read", "PUT": "update", "DELETE": "delete", "PATCH": "patch"}
    return (parts[0], verbs[method]) if method in verbs else None


def _routes(app: FastAPI) -> Iterator[tuple[str, str, list[str]]]:
    """(method, path, declared query parameters) of every route under /fhir."""
    for route in routing.iter_route_contexts(app.routes):
        path = str(route.path)
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            continue
        dependant = getattr(route.original_route, "dependant", None)
        declared = [str(q.alias) for q in getattr(dependant, "query_params", [])]
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                yield method, path, declared


def statement(app: FastAPI, base: str) -> dict[str, Any]:
    """The CapabilityStatement of `app` (FHIR R4 4.0.1) served at `base`."""
    interactions: dict[str, list[str]] = {}
    params: dict[str, list[str]] = {}
    system: list[str] = []
    operations: list[str] = []
    for method, path, declared in _routes(app):
        found = _interaction(method, path)
        if found is None:
            continue
        rtype, code = found
        if rtype is None:
            (operations if code.startswith("$") else system).append(code)
            continue
        interactions.setdefault(rtype, [])
        if code not in interactions[rtype]:
            interactions[rtype].append(code)
        if code == "search-type":
            params[rtype] = list(SEARCH_PARAMS.get(rtype, ())) or declared
    version, date = release()
    rest: dict[str, Any] = {
        "mode": "server",
        "resource": [_resource(t, codes, params.get(t, [])) for t, codes in interactions.items()],
    }
    if "batch" in system:
        rest["interaction"] = [{"code": "batch"}, {"code": "transaction"}]
    if operations:
        rest["operation"] = [
            {"name": op[1:], "definition": f"{base}/OperationDefinition/{op[1:]}"}
            for op in operations
        ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "kind": "instance",
        "software": {"name": DISTRIBUTION, "version": version},
        "implementation": {
            "description": "Télésurveillance médicale: FHIR R4 ingestion",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [rest],
    }


def _resource(rtype: str, codes: list[str], names: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {"type": rtype, "interaction": [{"code": c} for c in codes]}
    if rtype in VERSIONED:
        found["versioning"] = "versioned-update"
    if rtype in CONDITIONAL_CREATE and "create" in codes:
        found["conditionalCreate"] = True
    if names:
        found["searchParam"] = [{"name": n, "type": _PARAM_TYPES.get(n, "string")} for n in names]
    return found


def import_definition(base: str) -> dict[str, Any]:
    """The OperationDefinition of `POST /fhir/$import` (web/fhir/bundles.py)."""
    version, date = release()
    return {
        "resourceType": "OperationDefinition",
        "id": "import",
        "url": f"{base}/OperationDefinition/import",
        "version": version,
        "name": "Import",
        "title": "Import of readings as NDJSON",
        "status": "active",
        "kind": "operation",
        "date": date,
        "description": (
            "The request body is NDJSON: one Observation or QuestionnaireResponse per line. "
            "Each line is parsed and checked on its own; a refused line is reported with its "
            "number and never blocks the good ones, which are stored in durable chunks. "
            "The answer is an OperationOutcome: an information issue 'accepted N, duplicates "
            "M, rejected K (R new readings)', then one error issue per refused line "
            "('line 12: ...', with its FHIRPath)."
        ),
        "affectsState": True,
        "code": "import",
        "system": True,
        "type": False,
        "instance": False,
        "parameter": [
            {
                "name": "return",
                "use": "out",
                "min": 1,
                "max": "1",
                "documentation": "the summary and the refused lines",
                "type": "OperationOutcome",
            }
        ],
    }


async def capability(request: Request) -> Response:
    return http.respond(statement(request.app, http.base_url(request)))


async def operation_definition(request: Request) -> Response:
    name = request.path_params["id"]
    if name != "import":
        raise outcome.Invalid(
            f"OperationDefinition/{name} does not exist (see GET /fhir/metadata)",
            status=404,
            code="not-found",
        )
    return http.respond(import_definition(http.base_url(request)))
