"""The FHIR R4 API: one route table, mounted by `include`, described by `GET /fhir/metadata`.

Every route is a row of `ROUTES`; the CapabilityStatement (`web/fhir/capability.py`) is built
from the routes the app serves under /fhir, these and the other modules'. Refusals are
`OperationOutcome`s (`adapters/fhir/outcome.py`), mapped once here, and so is every error the
framework answers under /fhir (405 method not allowed, 404, parameter validation).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, routing
from fastapi import exception_handlers as fastapi_handlers
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from telesurveillance.adapters.fhir import outcome
from telesurveillance.web.fhir import (
    bulk,
    bundles,
    capability,
    http,
    observations,
    registry,
    updates,
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
    kind = registry.KINDS[rtype]
    low = rtype.lower()
    return [
        Route("POST", f"/{rtype}", f"fhir.{low}.create", registry.create(kind), rtype, "create"),
        Route(
            "GET",
            f"/{rtype}",
            f"fhir.{low}.search",
            registry.search(kind),
            rtype,
            "search-type",
        ),
        Route("GET", f"/{rtype}/{{id}}", f"fhir.{low}.read", registry.read(kind), rtype, "read"),
        Route(
            "PUT",
            f"/{rtype}/{{id}}",
            f"fhir.{low}.update",
            registry.update(kind),
            rtype,
            "update",
        ),
    ]


ROUTES: tuple[Route, ...] = (
    Route("GET", "/metadata", "fhir.metadata", capability.capability),
    Route(
        "GET",
        "/OperationDefinition/{id}",
        "fhir.operationdefinition.read",
        capability.operation_definition,
        "OperationDefinition",
        "read",
    ),
    Route("POST", "", "fhir.bundle", bundles.bundle, None, "batch"),
    Route("POST", "/$import", "fhir.import", bulk.import_ndjson, None, "import"),
    *_registry("Patient"),
    *_registry("Practitioner"),
    *_registry("Organization"),
    *_registry("Device"),
    Route(
        "POST",
        "/Observation",
        "fhir.observation.create",
        observations.create,
        "Observation",
        "create",
    ),
    Route(
        "GET",
        "/Observation",
        "fhir.observation.search",
        observations.find,
        "Observation",
        "search-type",
    ),
    Route(
        "GET",
        "/Observation/{id}",
        "fhir.observation.read",
        observations.read,
        "Observation",
        "read",
    ),
    Route("PUT", "/Observation/{id}", updates.UPDATE, updates.update, "Observation", "update"),
    Route("DELETE", "/Observation/{id}", updates.DELETE, updates.delete, "Observation", "delete"),
    Route(
        "POST",
        "/QuestionnaireResponse",
        "fhir.questionnaireresponse.create",
        observations.create_questionnaire_response,
        "QuestionnaireResponse",
        "create",
    ),
)


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
        await http.respond(outcome.of(refused), 404)(scope, receive, send)

    return not_found


#: FHIR IssueType of the framework's HTTP errors under /fhir.
_ISSUE_CODES = {401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported"}


def _under_fhir(request: Request) -> bool:
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/")


async def _http_error(request: Request, error: Exception) -> Response:
    """The framework's HTTP errors (405 method not allowed, a handler's 403...): under /fhir an
    OperationOutcome with the same status and headers (`Allow` on a 405), elsewhere as before."""
    assert isinstance(error, HTTPException)
    if not _under_fhir(request):
        return await fastapi_handlers.http_exception_handler(request, error)
    code = _ISSUE_CODES.get(error.status_code, "processing")
    diagnostics = str(error.detail)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request))
        diagnostics = f"method {request.method} is not supported here (allowed: {headers['Allow']})"
    answer = http.respond(
        outcome.outcome([outcome.issue(diagnostics, code=code)]), error.status_code
    )
    answer.headers.update(headers)
    return answer


def _allowed(request: Request) -> list[str]:
    """Every method some route serves at the request's path (the router's 405 names only the
    first route's)."""
    methods: set[str] = set()
    for route in routing.iter_route_contexts(request.app.routes):
        found, _child = route.matches(request.scope)
        if found is not Match.NONE:
            methods |= set(route.methods or ())
    return sorted(methods - {"HEAD"})


async def _invalid_parameters(request: Request, error: Exception) -> Response:
    """A route's declared parameters refused by the framework: under /fhir an OperationOutcome
    naming each parameter (same status, 422)."""
    assert isinstance(error, RequestValidationError)
    if not _under_fhir(request):
        return await fastapi_handlers.request_validation_exception_handler(request, error)
    issues = [
        outcome.issue(
            f"{e.get('loc', ['?'])[-1]}: {e.get('msg', 'invalid')}",
            str(e.get("loc", ["?"])[-1]),
        )
        for e in error.errors()
    ]
    return http.respond(outcome.outcome(issues), 422)


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
    app.add_exception_handler(outcome.Invalid, http.refuse)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_parameters)
    app.router.default = _not_found(app.router.default)
    writer = http.services_of(app).store.fhir_writer
    app.state.fhir_writer = writer
    app.router.on_shutdown.append(writer.close)
