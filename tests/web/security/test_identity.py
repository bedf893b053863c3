"""Identity comes only from the authenticated principal (issue 12, finding 3), by construction.

Every route of the real app is walked: its JSON body models must refuse unknown fields (so a
client's `actor`, `role` or `cooperation` is a 422, never silently taken or silently ignored),
and no body, form, query or path parameter may carry an identity-like name unless it is listed
below with the reason it is data and not the caller's identity. A new route that reads who acts
from the request fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pydantic
import pytest
from fastapi import FastAPI, routing

from telesurveillance import config
from telesurveillance.web import app as web_app
from telesurveillance.web import bodies

#: Parameter names that would say who acts, or what the caller may do.
IDENTITY = {
    "actor",
    "author",
    "user",
    "username",
    "user_id",
    "role",
    "roles",
    "principal",
    "cooperation",
    "delegated",
    "who",
    "on_behalf_of",
}

#: (route name, parameter) → why it is data, not the caller's identity.
DATA_NOT_IDENTITY = {
    ("security.login", "username"): "the account proving who it is (authentication itself)",
    ("pathway.protocol_create", "role"): "the role the protocol delegates to",
    ("pathway.medical_closure", "role"): "a question about the rules (default: the caller's)",
    ("pathway.include", "collected_by"): "the team member who collected the consent",
    ("pathway.include", "attested_by"): "the physician who attests eligibility",
    ("pathway.support_session", "given_by"): "the team member who gave the session",
    ("pathway.majoration", "attested_by"): "the physician who attests the majoration",
    ("pathway.task_done", "done_by"): "the team member of record for the task",
    # issue 15: the administrateur's pages create and change other accounts and tokens
    ("dashboard.admin_account_create", "username"): "the user name of the account created",
    ("dashboard.admin_account_create", "role"): "the role of the account created",
    ("dashboard.admin_account_action", "role"): "the new role of the account administered",
    ("dashboard.admin_token_create", "role"): "the role of the token created",
    ("dashboard.admin_audit", "actor"): "an audit-trail filter: whose events to show",
    ("dashboard.admin_audit_export", "actor"): "an audit-trail filter: whose events to export",
    ("dashboard.setup_member", "username"): "the user name of the new member's account",
    ("dashboard.setup_member", "role"): "the role of the new member's account",
    ("dashboard.setup_protocol", "role"): "the role the protocol delegates to",
}


def _identity_like(name: str) -> bool:
    return name.lower() in IDENTITY or name.lower().endswith("_by")


def _app(tmp_path: Path) -> FastAPI:
    settings = config.Settings(
        database_url=f"sqlite:///{tmp_path / 'identity.sqlite3'}", data_dir=tmp_path
    )
    return web_app.create_app(settings)


def _routes(app: FastAPI) -> Iterator[routing.APIRoute]:
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, routing.APIRoute):
            yield route


def _models(annotation: object) -> Iterator[type[pydantic.BaseModel]]:
    """The pydantic models in a type annotation (through `X | None`, `list[X]`)."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
        return
    for argument in getattr(annotation, "__args__", ()):
        yield from _models(argument)


def _parameters(route: routing.APIRoute) -> Iterator[tuple[str, str]]:
    """(where, name) of every parameter the route reads from the request."""
    dependant = route.dependant
    for where, params in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("header", dependant.header_params),
        ("cookie", dependant.cookie_params),
    ):
        for param in params:
            yield where, param.name
    for param in dependant.body_params:
        models = list(_models(param.field_info.annotation))
        if not models:
            yield "body", param.name
        for model in models:
            for name in model.model_fields:
                yield "body", name


def test_every_json_body_of_the_app_refuses_unknown_fields(tmp_path: Path) -> None:
    lax = sorted(
        f"{route.name}: {model.__name__}"
        for route in _routes(_app(tmp_path))
        for param in route.dependant.body_params
        for model in _models(param.field_info.annotation)
        if model.model_config.get("extra") != "forbid"
    )
    assert lax == [], f"body models accepting unknown fields (derive from web.bodies.Body): {lax}"


def test_no_route_reads_who_acts_from_the_request(tmp_path: Path) -> None:
    found = sorted(
        (str(route.name), where, name)
        for route in _routes(_app(tmp_path))
        for where, name in _parameters(route)
        if _identity_like(name) and (route.name, name) not in DATA_NOT_IDENTITY
    )
    assert found == [], f"identity read from the request (use web.security.gate.principal): {found}"


def test_the_exceptions_still_exist(tmp_path: Path) -> None:
    """The list above names real parameters of real routes (no stale excuse)."""
    present = {
        (str(route.name), name)
        for route in _routes(_app(tmp_path))
        for _where, name in _parameters(route)
    }
    assert set(DATA_NOT_IDENTITY) <= present


def test_bodies_refuse_what_they_do_not_declare() -> None:
    class Sample(bodies.Body):
        note: str

    with pytest.raises(pydantic.ValidationError) as refused:
        Sample.model_validate({"note": "x", "actor": "dr-house"})
    assert [e["loc"] for e in refused.value.errors()] == [("actor",)]
