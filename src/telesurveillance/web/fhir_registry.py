"""Patient, Practitioner, Organization and Device: create, read, update, search.

A create (direct, or a Bundle entry) parses the resource into a `Registered`, has it judged as
`fhir.<type>.create` (the role × route table; a Device's patient against the scope) and
creates only what was authorised (`create_in`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from telesurveillance.adapters.fhir import ids, organizations, outcome, people
from telesurveillance.adapters.sql import database, fhir_store
from telesurveillance.domain.access import writes
from telesurveillance.web import fhir_http, security

Entity = fhir_store.Entity
Handler = Callable[[Request], Coroutine[Any, Any, Response]]
MAX_COUNT = 1000


@dataclass(frozen=True)
class Kind:
    """How one resource type maps to its table(s)."""

    type: str
    parse: Callable[[dict[str, Any]], tuple[Entity, dict[str, Any]]]
    render: Callable[[Entity, Any], dict[str, Any]]
    key: Callable[[str], tuple[Entity, int] | None]
    entities: tuple[Entity, ...]


def _simple(
    entity: Entity,
    parse: Callable[[dict[str, Any]], dict[str, Any]],
    render: Callable[[Any], dict[str, Any]],
) -> Kind:
    def key(text: str) -> tuple[Entity, int] | None:
        number = ids.number(text)
        return None if number is None else (entity, number)

    return Kind(
        entity.label, lambda r: (entity, parse(r)), lambda _e, row: render(row), key, (entity,)
    )


def _organization_parse(resource: dict[str, Any]) -> tuple[Entity, dict[str, Any]]:
    role, row = organizations.organization_row(resource)
    return (fhir_store.OPERATEUR if role == "operateur" else fhir_store.EXPLOITANT), row


def _role(entity: Entity) -> str:
    return "operateur" if entity is fhir_store.OPERATEUR else "exploitant"


def _organization_key(text: str) -> tuple[Entity, int] | None:
    found = ids.parse_organization(text)
    if found is None:
        return None
    role, key = found
    return (fhir_store.OPERATEUR if role == "operateur" else fhir_store.EXPLOITANT), key


KINDS = {
    "Patient": _simple(fhir_store.PATIENT, people.patient_row, people.patient_resource),
    "Practitioner": _simple(
        fhir_store.PRACTITIONER, people.practitioner_row, people.practitioner_resource
    ),
    "Organization": Kind(
        "Organization",
        _organization_parse,
        lambda entity, row: organizations.organization_resource(_role(entity), row),
        _organization_key,
        (fhir_store.OPERATEUR, fhir_store.EXPLOITANT),
    ),
    "Device": _simple(fhir_store.DEVICE, organizations.device_row, organizations.device_resource),
}


def _headers(request: Request, resource: dict[str, Any]) -> dict[str, str]:
    headers = {
        "Location": f"{fhir_http.base_url(request)}/{resource['resourceType']}/{resource['id']}"
    }
    version = resource.get("meta", {}).get("versionId")
    if version is not None:
        headers["ETag"] = fhir_http.etag(int(version))
    return headers


@dataclass(frozen=True, slots=True)
class Registered:
    """A registry resource parsed and checked, to be created as `entity` from `row`."""

    kind: Kind
    entity: Entity
    row: dict[str, Any]

    @property
    def route(self) -> str:
        """The route whose permission a create of this resource needs."""
        return writes.create_route(self.kind.type)

    @property
    def patients(self) -> set[int]:
        """The patients whose data the create writes (a Device's patient)."""
        patient_id = self.row.get("patient_id") if self.entity is fhir_store.DEVICE else None
        return set() if patient_id is None else {int(patient_id)}


def parse(kind: Kind, resource: dict[str, Any]) -> Registered:
    entity, row = kind.parse(resource)
    return Registered(kind, entity, row)


def create_in(conn: sa.Connection, grant: writes.Authorised[Registered]) -> dict[str, Any]:
    """Create the authorised resource (in the caller's transaction); its FHIR rendering."""
    found = grant.value
    patient_id = found.row.get("patient_id") if found.entity is fhir_store.DEVICE else None
    if patient_id is not None and fhir_store.read(conn, fhir_store.PATIENT, patient_id) is None:
        raise outcome.Invalid(
            f"unknown patient Patient/{patient_id}", "Device.patient", code="not-found"
        )
    return found.kind.render(found.entity, fhir_store.create(conn, found.entity, found.row))


def written(made: dict[str, Any], grant: writes.Authorised[Registered]) -> set[int]:
    """The patients whose data a create wrote: the new Patient itself, a Device's patient."""
    if made.get("resourceType") == "Patient":
        return {int(made["id"])}
    return set(grant.patients)


def create(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        found = parse(kind, await fhir_http.resource(request))
        grant = security.judge(request).grant(found.route, found.patients, found)
        if isinstance(grant, writes.Refusal):
            raise fhir_http.forbidden(grant)
        engine = fhir_http.services(request).engine

        def run() -> dict[str, Any]:
            with database.writing(engine) as conn:
                return create_in(conn, grant)

        created = await run_in_threadpool(run)
        security.written(request, written(created, grant))
        return fhir_http.respond(created, 201, _headers(request, created))

    return handler


def _key(kind: Kind, text: str) -> tuple[Entity, int]:
    found = kind.key(text)
    if found is None:
        raise outcome.Invalid(f"{kind.type}/{text} does not exist", status=404, code="not-found")
    return found


def read(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        entity, key = _key(kind, request.path_params["id"])
        engine = fhir_http.services(request).engine

        def run() -> dict[str, Any] | None:
            with engine.connect() as conn:
                row = fhir_store.read(conn, entity, key)
                return None if row is None else kind.render(entity, row)

        found = await run_in_threadpool(run)
        if found is None:
            raise outcome.Invalid(
                f"{kind.type}/{request.path_params['id']} does not exist",
                status=404,
                code="not-found",
            )
        return fhir_http.respond(found, 200, _headers(request, found))

    return handler


def update(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        text = request.path_params["id"]
        entity, key = _key(kind, text)
        resource = await fhir_http.resource(request)
        if resource.get("id") not in (None, text):
            raise outcome.Invalid(
                f"the resource id {resource.get('id')!r} is not {text!r}",
                f"{kind.type}.id",
                status=400,
            )
        parsed_entity, row = kind.parse(resource)
        if parsed_entity is not entity:
            raise outcome.Invalid("an organization cannot change role", "Organization.type")
        expected = fhir_http.if_match(request)
        engine = fhir_http.services(request).engine

        def run() -> dict[str, Any]:
            with database.writing(engine) as conn:
                return kind.render(entity, fhir_store.update(conn, entity, key, row, expected))

        updated = await run_in_threadpool(run)
        return fhir_http.respond(updated, 200, _headers(request, updated))

    return handler


def search(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k not in ("_format", "_pretty")}
        count = _count(params.pop("_count", None))
        entities = kind.entities
        if kind.type == "Organization" and "type" in params:
            wanted = params.pop("type").rpartition("|")[2]
            entities = tuple(e for e in entities if _role(e) == wanted)
        engine = fhir_http.services(request).engine

        def run() -> list[dict[str, Any]]:
            with engine.connect() as conn:
                found = []
                for entity in entities:
                    rows = fhir_store.search(conn, entity, params, count)
                    found += [kind.render(entity, row) for row in rows]
                return found[:count]

        found = await run_in_threadpool(run)
        base = fhir_http.base_url(request)
        return fhir_http.respond(searchset(found, base, str(request.url)))

    return handler


def _count(raw: str | None) -> int:
    if raw is None:
        return 100
    count = ids.decimal(raw)
    if count is None:
        raise outcome.Invalid(f"_count {raw!r} is not a number", "_count", status=400)
    return max(0, min(count, MAX_COUNT))


def searchset(
    resources: list[dict[str, Any]], base: str, self_url: str, next_url: str | None = None
) -> dict[str, Any]:
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
