"""Patient, Practitioner, Organization and Device: create (conditional with `If-None-Exist`),
read, update, search (`_count=0`: the count only).

Conditional create (http://hl7.org/fhir/R4/http.html#ccreate): the `If-None-Exist` header (or a
Bundle entry's `request.ifNoneExist`) holds search parameters of the type; in the write
transaction, no match creates the resource (201), one match creates nothing and answers 200
with the resource found, several are a 412. Observations and QuestionnaireResponses have no
conditional create (their identity is patient, kind and instant; a retry is already a no-op):
the header is refused there, never ignored.

A create (direct, or a Bundle entry) parses the resource into a `Registered`, has it judged as
`fhir.<type>.create` (the role × route table; a Device's patient against the scope) and hands
only what was authorised to the store (`services.fhir.ports.Store.create`, or a transaction
Bundle's unit of work), which looks for the condition's match, checks the references and
creates in one transaction. This module maps resources to rows and back.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from telesurveillance.adapters.fhir import ids, organizations, outcome, people
from telesurveillance.domain.access import writes
from telesurveillance.services.fhir import ports
from telesurveillance.web.fhir import http
from telesurveillance.web.security import gate

Entity = ports.Entity
Registered = ports.Registered
Handler = Callable[[Request], Coroutine[Any, Any, Response]]
MAX_COUNT = 1000


@dataclass(frozen=True)
class Kind:
    """How one resource type maps to its table(s)."""

    type: str
    #: (resource, today's Paris date) → (table, row)
    parse: Callable[[dict[str, Any], dt.date], tuple[Entity, dict[str, Any]]]
    render: Callable[[Entity, Any], dict[str, Any]]
    key: Callable[[str], tuple[Entity, int] | None]
    entities: tuple[Entity, ...]


def _simple(
    entity: Entity,
    parse: Callable[[dict[str, Any], dt.date], dict[str, Any]],
    render: Callable[[Any], dict[str, Any]],
) -> Kind:
    def key(text: str) -> tuple[Entity, int] | None:
        number = ids.number(text)
        return None if number is None else (entity, number)

    return Kind(
        entity.label,
        lambda r, today: (entity, parse(r, today)),
        lambda _e, row: render(row),
        key,
        (entity,),
    )


def _organization_parse(resource: dict[str, Any], _today: dt.date) -> tuple[Entity, dict[str, Any]]:
    role, row = organizations.organization_row(resource)
    return (Entity.OPERATEUR if role == "operateur" else Entity.EXPLOITANT), row


def _role(entity: Entity) -> str:
    return "operateur" if entity is Entity.OPERATEUR else "exploitant"


def _organization_key(text: str) -> tuple[Entity, int] | None:
    found = ids.parse_organization(text)
    if found is None:
        return None
    role, key = found
    return (Entity.OPERATEUR if role == "operateur" else Entity.EXPLOITANT), key


KINDS = {
    "Patient": _simple(Entity.PATIENT, people.patient_row, people.patient_resource),
    "Practitioner": _simple(
        Entity.PRACTITIONER,
        lambda r, _today: people.practitioner_row(r),
        people.practitioner_resource,
    ),
    "Organization": Kind(
        "Organization",
        _organization_parse,
        lambda entity, row: organizations.organization_resource(_role(entity), row),
        _organization_key,
        (Entity.OPERATEUR, Entity.EXPLOITANT),
    ),
    "Device": _simple(
        Entity.DEVICE,
        lambda r, _today: organizations.device_row(r),
        organizations.device_resource,
    ),
}


def _headers(request: Request, resource: dict[str, Any]) -> dict[str, str]:
    headers = {"Location": f"{http.base_url(request)}/{resource['resourceType']}/{resource['id']}"}
    version = resource.get("meta", {}).get("versionId")
    if version is not None:
        headers["ETag"] = http.etag(int(version))
    return headers


def parse(kind: Kind, resource: dict[str, Any], today: dt.date) -> Registered:
    entity, row = kind.parse(resource, today)
    return Registered(kind.type, entity, row)


def render(made: ports.Made) -> dict[str, Any]:
    """The FHIR rendering of what a create made (or found)."""
    return KINDS[made.entity.label].render(made.entity, made.row)


def condition(kind: Kind, text: str | None) -> ports.Condition | None:
    """The conditional create of an `If-None-Exist` value (None: no condition)."""
    if text is None:
        return None
    params = condition_params(text, kind.type)
    entities = _entities(kind, params)
    return ports.Condition(text, entities, params)


def condition_params(condition: str, resource_type: str) -> dict[str, str]:
    """The search parameters of an `If-None-Exist` value (`identifier=sys|value&...`)."""
    where = "If-None-Exist"
    try:
        pairs = urllib.parse.parse_qsl(
            condition.removeprefix("?"), keep_blank_values=True, strict_parsing=True
        )
    except ValueError:
        pairs = []
    names = [n for n, _v in pairs]
    if not pairs or len(set(names)) != len(names) or any(n.startswith("_count") for n in names):
        raise outcome.Invalid(
            f"If-None-Exist {condition!r} is not a query of {resource_type} search parameters "
            "(name=value&..., each name once)",
            where,
            status=400,
        )
    return dict(pairs)


def written(made: dict[str, Any], grant: writes.Authorised[Registered]) -> set[int]:
    """The patients whose data a create wrote: the new Patient itself, a Device's patient."""
    if made.get("resourceType") == "Patient":
        return {int(made["id"])}
    return set(grant.patients)


def create(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        found = parse(kind, await http.resource(request), http.today(request))
        grant = gate.judge(request).grant(found.route, found.patients, found)
        if isinstance(grant, writes.Refusal):
            raise http.forbidden(grant)
        wanted = condition(kind, request.headers.get("if-none-exist"))
        store = http.services(request).store.fhir
        made = await run_in_threadpool(store.create, grant, wanted)
        shown = render(made)
        gate.written(request, written(shown, grant))
        return http.respond(shown, 201 if made.new else 200, _headers(request, shown))

    return handler


def no_conditional_create(request: Request, resource_type: str) -> None:
    """Refuse `If-None-Exist` where conditional create is not implemented (never ignore it)."""
    if request.headers.get("if-none-exist") is not None:
        raise outcome.Invalid(refused_condition(resource_type), status=400, code="not-supported")


def refused_condition(resource_type: str) -> str:
    return (
        f"conditional create (If-None-Exist) is not supported for {resource_type}: a reading is "
        "identified by its patient, code and instant, and a retry is already answered 200 "
        "with the stored one"
    )


def _key(kind: Kind, text: str) -> tuple[Entity, int]:
    found = kind.key(text)
    if found is None:
        raise outcome.Invalid(f"{kind.type}/{text} does not exist", status=404, code="not-found")
    return found


def read(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        entity, key = _key(kind, request.path_params["id"])
        store = http.services(request).store.fhir
        row = await run_in_threadpool(store.read, entity, key)
        if row is None:
            raise outcome.Invalid(
                f"{kind.type}/{request.path_params['id']} does not exist",
                status=404,
                code="not-found",
            )
        found = kind.render(entity, row)
        return http.respond(found, 200, _headers(request, found))

    return handler


def update(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        text = request.path_params["id"]
        entity, key = _key(kind, text)
        resource = await http.resource(request)
        if resource.get("id") not in (None, text):
            raise outcome.Invalid(
                f"the resource id {resource.get('id')!r} is not {text!r}",
                f"{kind.type}.id",
                status=400,
            )
        parsed_entity, row = kind.parse(resource, http.today(request))
        if parsed_entity is not entity:
            raise outcome.Invalid("an organization cannot change role", "Organization.type")
        expected = http.if_match(request)
        store = http.services(request).store.fhir
        stored = await run_in_threadpool(store.update, entity, key, row, expected)
        updated = kind.render(entity, stored)
        return http.respond(updated, 200, _headers(request, updated))

    return handler


def _entities(kind: Kind, params: dict[str, str]) -> tuple[Entity, ...]:
    """The tables to search (pops Organization's `type`, which says the table)."""
    if kind.type == "Organization" and "type" in params:
        wanted = params.pop("type").rpartition("|")[2]
        return tuple(e for e in kind.entities if _role(e) == wanted)
    return kind.entities


def search(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k not in ("_format", "_pretty")}
        count = _count(params.pop("_count", None))
        entities = _entities(kind, params)
        store = http.services(request).store.fhir

        def run() -> tuple[list[dict[str, Any]], int | None]:
            if count == 0:  # count only (FHIR search): the total, no entry
                return [], store.total(entities, params)
            return [kind.render(e, row) for e, row in store.find(entities, params, count)], None

        found, matches = await run_in_threadpool(run)
        base = http.base_url(request)
        return http.respond(searchset(found, base, str(request.url), total=matches))

    return handler


def _count(raw: str | None) -> int:
    """The page size of `_count` (0: the count only)."""
    if raw is None:
        return 100
    count = ids.decimal(raw)
    if count is None:
        raise outcome.Invalid(f"_count {raw!r} is not a number", "_count", status=400)
    return max(0, min(count, MAX_COUNT))


def searchset(
    resources: list[dict[str, Any]],
    base: str,
    self_url: str,
    next_url: str | None = None,
    *,
    total: int | None = None,
) -> dict[str, Any]:
    """A searchset Bundle; a count-only search (`total` given, no resources) has no `entry`
    at all (FHIR JSON arrays are never empty)."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if total is not None:
        bundle["total"] = total
    bundle["link"] = links
    if resources or total is None:
        bundle["entry"] = [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ]
    return bundle
