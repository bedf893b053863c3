"""The role × route matrix: every route of the real app is in the table, and the gate gives
each of the six roles exactly what the table says (403 when denied, never 401/403 when allowed);
each entry of a Bundle gets what the table gives the route it stands for.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from starlette.routing import Mount

from telesurveillance.domain.access import matrix, roles, writes
from tests.conftest import ClientFactory
from tests.web.fhir import resources

Role = roles.Role
TABLE = matrix.packaged()
PATIENT = 1
EXPLOITANT = 1


def _app(make_client: ClientFactory) -> FastAPI:
    app = make_client().app
    assert isinstance(app, FastAPI)
    return app


def _calls(app: FastAPI) -> list[tuple[str, str, str]]:
    """(route name, method, a concrete path) for every method of every route of the app,
    through the included routers."""
    calls = []
    for route in routing.iter_route_contexts(app.routes):
        name = str(route.name)
        if isinstance(route.original_route, Mount):
            calls.append((name, "GET", str(route.path).rstrip("/") + "/missing.css"))
            continue
        path = re.sub(r"\{[^}]+\}", "1", str(route.path))
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                calls.append((name, method, path))
    return calls


def test_every_route_of_the_app_is_in_the_permission_table(make_client: ClientFactory) -> None:
    names = {name for name, _, _ in _calls(_app(make_client))}
    missing = sorted(n for n in names if not TABLE.is_public(n) and TABLE.rule(n) is None)
    assert missing == [], f"routes missing from domain/access/permissions.yaml: {missing}"


def test_the_table_names_no_route_that_does_not_exist(make_client: ClientFactory) -> None:
    names = {name for name, _, _ in _calls(_app(make_client))}
    stale = sorted(set(TABLE.rules) - names)
    assert stale == [], f"entries of permissions.yaml with no route: {stale}"


def test_every_route_but_the_public_ones_answers_401_without_credentials(
    make_client: ClientFactory,
) -> None:
    client = make_client(authenticated=False)
    for name, method, path in _calls(_app(make_client)):
        status = client.request(method, path, follow_redirects=False).status_code
        if TABLE.is_public(name):
            assert status != 401, (name, method, path)
        else:
            assert status == 401, (name, method, path, status)


def _request_in_scope(client: TestClient, name: str, method: str, path: str) -> httpx.Response:
    """The request, naming patient 1 wherever the table says the patient is named (so that
    only the role decides, not the patient scope)."""
    rule = TABLE.rule(name)
    params = {}
    body = None
    if rule is not None:
        params = {p: f"Patient/{PATIENT}" for p in rule.patient_params if "{" + p not in path}
        if rule.patient_in_body:
            body = {"resourceType": "Observation", "subject": {"reference": f"Patient/{PATIENT}"}}
    return client.request(method, path, params=params, json=body, follow_redirects=False)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_allowed_or_denied_each_route_as_the_table_says(
    make_client: ClientFactory, role: Role
) -> None:
    client = make_client(
        role=role.value,
        patient_id=PATIENT if role is Role.PATIENT else None,
        exploitant_id=EXPLOITANT if role is Role.EXPLOITANT else None,
    )
    wrong: list[tuple[str, str, int]] = []
    for name, method, path in _calls(_app(make_client)):
        principal = roles.Principal(roles.Kind.TOKEN, 0, "t", role)
        allowed = TABLE.decide(name, principal) is matrix.Decision.ALLOW
        status = _request_in_scope(client, name, method, path).status_code
        if allowed == (status in (401, 403)):
            wrong.append((f"{method} {path}", name, status))
    assert wrong == [], f"{role}: gate disagrees with the table on {wrong}"


def test_a_device_token_may_only_call_the_device_routes(make_client: ClientFactory) -> None:
    client = make_client(role="patient", patient_id=PATIENT, device=True)
    for name, method, path in _calls(_app(make_client)):
        status = _request_in_scope(client, name, method, path).status_code
        rule = TABLE.rule(name)
        if TABLE.is_public(name):
            continue
        if rule is not None and rule.device:
            assert status not in (401, 403), (name, status)
        else:
            assert status == 403, (name, method, path, status)


def test_an_unknown_route_name_is_refused_to_all_but_the_administrateur() -> None:
    for role in Role:
        principal = roles.Principal(roles.Kind.ACCOUNT, 1, "x", role)
        decision = TABLE.decide("not.in.the.table", principal)
        expected = (
            matrix.Decision.ALLOW if role is Role.ADMINISTRATEUR else matrix.Decision.FORBIDDEN
        )
        assert decision is expected


# --- Bundle entries: each needs the permission of the route it stands for ------------------

ENTRY_TABLES = {
    "Patient": "patients",
    "Practitioner": "practitioners",
    "Organization": "operateurs",
    "Device": "devices",
    "Observation": "readings",
    "QuestionnaireResponse": "readings",
}
PRINCIPALS = [(role, False) for role in Role] + [(Role.PATIENT, True)]


def _resource(rtype: str, n: int) -> dict[str, Any]:
    """A valid resource of `rtype`, different for each `n` (so that each can be created)."""
    at = f"2026-02-01T{n // 60:02}:{n % 60:02}:00Z"
    patient = f"Patient/{PATIENT}"
    made: dict[str, dict[str, Any]] = {
        "Patient": resources.patient(nir=None, family=f"ENTREE{n}"),
        "Practitioner": {
            "resourceType": "Practitioner",
            "identifier": [{"system": "https://rpps.esante.gouv.fr", "value": f"1000{n:07}"}],
            "name": [{"family": f"ENTREE{n}"}],
        },
        "Organization": resources.organization("operateur"),
        "Device": {
            "resourceType": "Device",
            "identifier": [{"system": "urn:maker:serial", "value": f"SN-{n}"}],
            "status": "active",
            "patient": {"reference": patient},
        },
        "Observation": resources.weight(patient, at),
        "QuestionnaireResponse": {**resources.questionnaire_response(patient), "authored": at},
    }
    return made[rtype]


def _rows(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _bundle(kind: str, *entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"resource": r, "request": {"method": "POST", "url": r["resourceType"]}}
            for r in entries
        ],
    }


@pytest.mark.parametrize("kind", ["batch", "transaction"])
def test_each_bundle_entry_needs_the_permission_of_the_route_it_stands_for(
    make_client: ClientFactory, engine: sa.Engine, kind: str
) -> None:
    created = make_client().post("/fhir/Patient", json=resources.patient(nir=None))
    assert created.json()["id"] == str(PATIENT)
    wrong: list[tuple[str, str, str, int]] = []
    n = 0
    for role, device in PRINCIPALS:
        client = make_client(
            role=role.value,
            patient_id=PATIENT if role is Role.PATIENT else None,
            exploitant_id=EXPLOITANT if role is Role.EXPLOITANT else None,
            device=device,
        )
        who = roles.Principal(roles.Kind.TOKEN, 0, "t", role, PATIENT, device=device)
        bundle_allowed = TABLE.decide("fhir.bundle", who) is matrix.Decision.ALLOW
        for rtype, table in ENTRY_TABLES.items():
            n += 1
            route = writes.create_route(rtype)
            allowed = bundle_allowed and TABLE.decide(route, who) is matrix.Decision.ALLOW
            before = _rows(engine, table)
            answer = client.post("/fhir", json=_bundle(kind, _resource(rtype, n)))
            if kind == "batch" and bundle_allowed:
                status = answer.json()["entry"][0]["response"]["status"]
                ok = status == "201 Created" if allowed else status == "403"
            else:
                ok = answer.status_code == (200 if allowed else 403)
            ok = ok and _rows(engine, table) == before + (1 if allowed else 0)
            if not ok:
                who_name = f"{role} device" if device else str(role)
                wrong.append((who_name, kind, rtype, answer.status_code))
    assert wrong == [], f"Bundle entries disagree with the table: {wrong}"


@pytest.mark.parametrize("role", ["soignant", "medecin"])
def test_a_transaction_with_an_organization_entry_is_refused_whole_to_the_care_team(
    make_client: ClientFactory, engine: sa.Engine, role: str
) -> None:
    make_client().post("/fhir/Patient", json=resources.patient(nir=None))
    client = make_client(role=role)
    bundle = _bundle(
        "transaction",
        _resource("Observation", 1),
        _resource("Practitioner", 2),
        _resource("Organization", 3),
    )
    answer = client.post("/fhir", json=bundle)
    assert answer.status_code == 403
    forbidden = "Bundle.entry[2]" if role == "medecin" else "Bundle.entry[1]"
    assert answer.json()["issue"][0]["expression"][0].startswith(forbidden)
    for table in ("readings", "practitioners", "operateurs"):
        assert _rows(engine, table) == 0, table
