"""The FHIR R4 API: one route table, mounted by `include`, described by `GET /fhir/metadata`.

Every route is a row of `ROUTES`; the CapabilityStatement is built from the same rows, so what
the server says it does is what it does. Refusals are `OperationOutcome`s (`adapters/fhir/
outcome.py`), mapped once here.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from telesurveillance.adapters.fhir import outcome
from telesurveillance.adapters.sql import fhir_group_commit
from telesurveillance.web import (
    fhir_bundles,
    fhir_http,
    fhir_import,
    fhir_observations,
    fhir_registry,
)

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
PREFIX = "/fhir"


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    name: str
    handler: Handler
    #: (resource type, FHIR interaction) for the CapabilityStatement; None for system level.
    resource: str | None = None
    interaction: str | None = None


def _registry(rtype: str) -> list[Route]:
    kind = fhir_registry.KINDS[rtype]
    low = rtype.lower()
    return [
        Route(
            "POST", f"/{rtype}", f"fhir.{low}.create", fhir_registry.create(kind), rtype, "create"
        ),
        Route(
            "GET",
            f"/{rtype}",
            f"fhir.{low}.search",
            fhir_registry.search(kind),
            rtype,
            "search-type",
        ),
        Route(
            "GET", f"/{rtype}/{{id}}", f"fhir.{low}.read", fhir_registry.read(kind), rtype, "read"
        ),
        Route(
            "PUT",
            f"/{rtype}/{{id}}",
            f"fhir.{low}.update",
            fhir_registry.update(kind),
            rtype,
            "update",
        ),
    ]


async def capability(request: Request) -> Response:
    return fhir_http.respond(capability_statement(fhir_http.base_url(request)))


ROUTES: tuple[Route, ...] = (
    Route("GET", "/metadata", "fhir.metadata", capability),
    Route("POST", "", "fhir.bundle", fhir_bundles.bundle, None, "batch"),
    Route("POST", "/$import", "fhir.import", fhir_import.import_ndjson, None, "import"),
    *_registry("Patient"),
    *_registry("Practitioner"),
    *_registry("Organization"),
    *_registry("Device"),
    Route(
        "POST",
        "/Observation",
        "fhir.observation.create",
        fhir_observations.create,
        "Observation",
        "create",
    ),
    Route(
        "GET",
        "/Observation",
        "fhir.observation.search",
        fhir_observations.find,
        "Observation",
        "search-type",
    ),
    Route(
        "GET",
        "/Observation/{id}",
        "fhir.observation.read",
        fhir_observations.read,
        "Observation",
        "read",
    ),
    Route(
        "POST",
        "/QuestionnaireResponse",
        "fhir.questionnaireresponse.create",
        fhir_observations.create_questionnaire_response,
        "QuestionnaireResponse",
        "create",
    ),
)

#: Search parameters per resource type (documented in docs/fhir-api.md).
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
}


def capability_statement(base: str) -> dict[str, Any]:
    resources: dict[str, list[str]] = {}
    for route in ROUTES:
        if route.resource is not None and route.interaction is not None:
            resources.setdefault(route.resource, []).append(route.interaction)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-23",
        "kind": "instance",
        "software": {"name": "telesurveillance", "version": "0.1.0"},
        "implementation": {
            "description": "Télésurveillance médicale: FHIR R4 ingestion",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": rtype,
                        "interaction": [{"code": code} for code in interactions],
                        **(
                            {"versioning": "versioned-update"}
                            if rtype in ("Patient", "Device")
                            else {}
                        ),
                        "searchParam": [
                            {"name": p, "type": _PARAM_TYPES[p]}
                            for p in SEARCH_PARAMS.get(rtype, ())
                        ],
                    }
                    for rtype, interactions in resources.items()
                ],
                "interaction": [{"code": "batch"}, {"code": "transaction"}],
                "operation": [
                    {"name": "import", "definition": f"{base}/OperationDefinition/import"}
                ],
            }
        ],
    }


def _not_found(fallback: ASGIApp) -> ASGIApp:
    """What the router runs when no route matches: under /fhir, an unknown resource type is a
    404 OperationOutcome (not the framework's `{"detail": ...}`), whichever module mounts
    routes after this one (a catch-all route would shadow their /fhir routes)."""

    async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith(PREFIX + "/"):
            await fallback(scope, receive, send)
            return
        first = path[len(PREFIX) + 1 :].split("/")[0]
        refused = outcome.Invalid(
            f"resource type {first!r} is not served here (see GET /fhir/metadata)",
            status=404,
            code="not-supported",
        )
        await fhir_http.respond(outcome.of(refused), 404)(scope, receive, send)

    return not_found


def include(app: FastAPI) -> None:
    """Mount the FHIR routes on `app` and map refusals to OperationOutcomes."""
    for route in ROUTES:
        app.add_api_route(
            PREFIX + route.path,
            route.handler,
            methods=[route.method],
            name=route.name,
            include_in_schema=route.resource is not None or route.name == "fhir.metadata",
        )
    app.add_exception_handler(outcome.Invalid, fhir_http.refuse)
    app.router.default = _not_found(app.router.default)
    writer = fhir_group_commit.GroupCommit(fhir_http.services_of(app).engine)
    app.state.fhir_writer = writer
    app.router.on_shutdown.append(writer.close)
