"""Applying the per-role projection (`domain/access/projection.yaml`) to what the app answers.

`ProjectedRoute` is the route class of the routers of `/api/alerts`, `/api/billing`,
`/api/pathway` and of FHIR `DetectedIssue`/`Flag`: every JSON answer of their routes passes
through the table for the caller's role before it leaves, so a handler cannot forget it and a
new route cannot skip it:

- the care team and the administrator get the answer whole;
- another role gets the record kind the table names for the route, projected for that role
  (fields not listed are dropped); a kind it may not see is a 403;
- a route missing from the table that handles patient data (`permissions.yaml`) is a 403 for
  such a role: default deny, like the permission table.

Downloads (an answer with `Content-Disposition`) and HTML pages are not rewritten here: their
handler projects the rows before rendering them (`rows`, `in_scope`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from telesurveillance.domain.access import matrix, projection, roles
from telesurveillance.web.security import gate

T = TypeVar("T")

_JSON = ("application/json", "application/fhir+json")


def _table() -> projection.Table:
    return projection.packaged()


def _restricted(request: Request) -> roles.Principal | None:
    """The principal when its role does not see everything (None otherwise, or anonymous)."""
    who: roles.Principal | None = getattr(request.state, "principal", None)
    if who is None or _table().sees_whole(who.role):
        return None
    return who


def _kind(name: str, who: roles.Principal) -> str | None:
    """The record kind of route `name` for a restricted principal; 403 when it has none."""
    kind = _table().route(name)
    if kind is None:
        rule = matrix.packaged().rule(name)
        if rule is not None and rule.patient_data:
            raise HTTPException(403, f"no projection of {name} for a {who.role.value}")
        return None
    if who.role not in _table().records.get(kind, {}):
        raise HTTPException(403, f"a {who.role.value} may not see {kind} records")
    return kind


def shape(request: Request, name: str, response: Response) -> Response:
    """`response` of the route `name` as the caller's role may see it."""
    who = _restricted(request)
    if who is None:
        return response
    kind = _kind(name, who)
    if kind is None or not 200 <= response.status_code < 300:
        return response
    media = (response.media_type or response.headers.get("content-type", "")).split(";")[0]
    if media not in _JSON or "content-disposition" in response.headers:
        return response  # a download or a page: its handler projected the rows
    document = json.loads(bytes(response.body))
    shown = _table().project(kind, who.role, document)
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("content-length", "content-type")
    }
    return JSONResponse(shown, status_code=response.status_code, headers=headers, media_type=media)


class ProjectedRoute(APIRoute):
    """An API route whose JSON answers are projected for the caller's role."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        name = self.name

        async def projected(request: Request) -> Response:
            who = _restricted(request)
            if who is not None:
                _kind(name, who)  # refuse before the handler acts, not after
            return shape(request, name, await handler(request))

        return projected


def rows(request: Request, kind: str, found: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Rows of `kind` (plain mappings) as the caller's role may see them (for downloads)."""
    who = gate.principal(request)
    try:
        shown: list[Any] = _table().project(kind, who.role, list(found))
    except projection.Hidden as hidden:
        raise HTTPException(403, str(hidden)) from None
    return shown


def in_scope(
    request: Request, found: Iterable[T], scope: Callable[[T], Mapping[str, Any]]
) -> list[T]:
    """The rows of `found` the caller may see at all (`scope(row)`: the row's scope fields,
    e.g. its exploitant); the exploitant keeps its own devices' patients only."""
    who = gate.principal(request)
    own = who.exploitant_id if who.role is roles.Role.EXPLOITANT else who.patient_id
    return [row for row in found if _table().in_scope(who.role, own, scope(row))]
