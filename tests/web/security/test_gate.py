"""The security gate: credentials, scopes, rate limit, hardening headers and limits."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import fastapi
import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql.security import accounts, audit
from telesurveillance.web.security import gate, hardening
from tests.web.security.conftest import NOW, SecureClient, bearer

Token = Callable[..., str]

OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
    "subject": {"reference": "Patient/2"},
    "effectiveDateTime": "2026-02-28T08:00:00Z",
    "valueQuantity": {
        "value": 72.5,
        "unit": "kg",
        "system": "http://unitsofmeasure.org",
        "code": "kg",
    },
}


def test_without_credentials_the_api_answers_401_with_a_bearer_challenge(
    secure_client: SecureClient,
) -> None:
    response = secure_client().get("/fhir/Patient")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_browser_without_a_session_is_sent_to_the_login_page_and_back(
    secure_client: SecureClient,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml"}
    page = secure_client().get(
        "/ui/worklist?indication=diabete", headers=browser, follow_redirects=False
    )
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fui%2Fworklist%3Findication%3Ddiabete"
    api = secure_client().get("/api/alerts", headers={"Accept": "application/json"})
    assert api.status_code == 401
    form = secure_client().post(
        "/ui/alerts/1", headers=browser, data={"action": "close"}, follow_redirects=False
    )
    assert form.status_code == 401


def test_the_capability_statement_and_the_login_page_are_public(
    secure_client: SecureClient,
) -> None:
    client = secure_client()
    assert client.get("/fhir/metadata").status_code == 200
    assert client.get("/login").status_code == 200


def test_an_unknown_path_answers_401_to_strangers_and_404_to_users(
    secure_client: SecureClient, token: Token
) -> None:
    client = secure_client()
    assert client.get("/nowhere").status_code == 401
    assert client.get("/nowhere", headers=bearer(token())).status_code == 404


def test_a_wrong_or_revoked_token_is_refused(
    secure_client: SecureClient, token: Token, engine: sa.Engine
) -> None:
    client = secure_client()
    assert client.get("/auth/whoami", headers=bearer("tsv_not-a-token")).status_code == 401
    secret = token()
    assert client.get("/auth/whoami", headers=bearer(secret)).json()["role"] == "medecin"
    accounts.SqlAccounts(engine).revoke_token(1, NOW)
    assert client.get("/auth/whoami", headers=bearer(secret)).status_code == 401


def test_a_role_outside_the_table_gets_403(secure_client: SecureClient, token: Token) -> None:
    response = secure_client().get("/api/billing/lines", headers=bearer(token("soignant")))
    assert response.status_code == 403


def test_a_patient_searches_its_own_observations_only(
    secure_client: SecureClient, token: Token
) -> None:
    client = secure_client()
    own = bearer(token("patient", patient_id=2))
    assert client.get("/fhir/Observation?patient=Patient/2", headers=own).status_code == 200
    assert client.get("/fhir/Observation?patient=Patient/3", headers=own).status_code == 403
    assert client.get("/fhir/Observation", headers=own).status_code == 403
    mixed = "/fhir/Observation?patient=Patient/2&subject=Patient/3"
    assert client.get(mixed, headers=own).status_code == 403


def test_a_device_token_writes_for_its_patient_only(
    secure_client: SecureClient, token: Token
) -> None:
    client = secure_client()
    device = bearer(token("patient", patient_id=2, device=True))
    other = {**OBSERVATION, "subject": {"reference": "Patient/3"}}
    assert client.post("/fhir/Observation", json=other, headers=device).status_code == 403
    assert client.get("/fhir/Observation?patient=Patient/2", headers=device).status_code == 403
    # a subject the parse cannot resolve to a patient of ours yields no reading to write: the
    # Observation is refused as invalid (it was a 403 when the gate guessed from the body)
    by_identifier = {**OBSERVATION, "subject": {"identifier": {"value": "x"}}}
    refused = client.post("/fhir/Observation", json=by_identifier, headers=device)
    assert refused.status_code == 422
    assert refused.json()["issue"][0]["expression"] == ["Observation.subject.reference"]
    # its own patient's reading passes the gate (the FHIR layer then judges the content)
    status = client.post("/fhir/Observation", json=OBSERVATION, headers=device).status_code
    assert status not in (401, 403)


def test_a_token_over_its_rate_gets_429_with_retry_after(
    secure_client: SecureClient, token: Token
) -> None:
    client = secure_client(token_rate=1.0, token_burst=3.0)
    headers = bearer(token())
    statuses = [client.get("/auth/whoami", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/auth/whoami", headers=headers)
    assert int(refused.headers["retry-after"]) >= 1
    # the limit is per token: another token is not slowed down
    assert client.get("/auth/whoami", headers=bearer(token())).status_code == 200


def test_every_response_carries_the_security_headers(secure_client: SecureClient) -> None:
    response = secure_client().get("/login")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers
    hsts = secure_client(hsts=True).get("/login").headers
    assert hsts["strict-transport-security"].startswith("max-age=")


def test_a_body_over_the_limit_is_refused_with_413(
    secure_client: SecureClient, token: Token
) -> None:
    client = secure_client(max_body=1000)
    headers = {**bearer(token()), "Content-Type": "application/fhir+json"}
    small = json.dumps(OBSERVATION).encode()
    assert len(small) < 1000
    assert client.post("/fhir/Observation", content=small, headers=headers).status_code != 413
    big = small + b" " * 1000
    assert client.post("/fhir/Observation", content=big, headers=headers).status_code == 413


def test_json_nested_deeper_than_the_limit_is_refused_with_400(
    secure_client: SecureClient, token: Token
) -> None:
    client = secure_client()
    headers = {**bearer(token()), "Content-Type": "application/fhir+json"}
    limit = hardening.Options().max_json_depth
    at_limit = "[" * limit + "]" * limit
    too_deep = "[" * (limit + 1) + "]" * (limit + 1)
    accepted = client.post("/fhir/Observation", content=at_limit, headers=headers)
    assert "nested" not in accepted.text
    response = client.post("/fhir/Observation", content=too_deep, headers=headers)
    assert response.status_code == 400
    assert "nested" in response.text


def test_json_depth_is_counted_outside_strings_only() -> None:
    assert hardening.json_depth(b'{"a": [1, {"b": "[[[{{{"}]}') == 3
    assert hardening.json_depth(b'{"a": "\\"[["}') == 1


def test_a_crash_answers_a_generic_500_with_an_id_and_no_stack_trace(
    secure_client: SecureClient, token: Token, caplog: pytest.LogCaptureFixture
) -> None:
    client = secure_client()

    def boom() -> None:
        raise RuntimeError("secret detail of the failure")

    client.app.add_api_route("/boom", boom, name="test.boom")  # type: ignore[attr-defined]
    response = client.get("/boom", headers=bearer(token("administrateur")))
    assert response.status_code == 500
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text
    assert "content-security-policy" in response.headers
    request_id = response.json()["detail"].split("id ")[1].rstrip(")")
    assert any(request_id in r.getMessage() for r in caplog.records)


def test_a_streamed_body_over_the_limit_is_a_413_and_audited(
    secure_client: SecureClient, token: Token, engine: sa.Engine
) -> None:
    client = secure_client(max_body=1000)
    headers = {**bearer(token()), "Content-Type": "application/fhir+ndjson"}

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as the handler reads
        for _ in range(20):
            yield b" " * 100

    answer = client.post("/fhir/$import", content=chunks(), headers=headers)
    assert answer.status_code == 413
    assert answer.json()["resourceType"] == "OperationOutcome"
    (event,) = audit.SqlAuditLog(engine).events()
    assert (event.route, event.status) == ("fhir.import", 413)


def test_a_declared_body_over_the_limit_on_patient_data_is_audited_too(
    secure_client: SecureClient, token: Token, engine: sa.Engine
) -> None:
    client = secure_client(max_body=1000)
    headers = {**bearer(token()), "Content-Type": "application/fhir+json"}
    answer = client.post("/fhir/Observation", content=b" " * 2000, headers=headers)
    assert answer.status_code == 413
    (event,) = audit.SqlAuditLog(engine).events()
    assert (event.route, event.status) == ("fhir.observation.create", 413)


def test_the_gate_remembers_only_the_routes_of_paths_without_parameters_up_to_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = fastapi.FastAPI()

    @app.get("/one", name="one")
    @app.get("/two", name="two")
    @app.get("/three", name="three")
    def fixed() -> None: ...

    @app.get("/items/{n}", name="item")
    def item(n: int) -> None: ...

    guard = gate.Guard(app, fastapi=app, options=hardening.Options())

    def scope(path: str) -> dict[str, object]:
        return {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}

    monkeypatch.setattr(gate, "MATCHED", 2)
    item_target = guard._match(scope("/items/3"))
    assert item_target is not None
    assert item_target.params == {"n": "3"}
    assert guard._match(scope("/nowhere")) is None
    assert guard._matched == {}  # a path with parameters, or no route: matched each time
    for path in ("/one", "/two", "/three"):
        found = guard._match(scope(path))
        assert found is not None
        assert found.name == path.strip("/")
    assert set(guard._matched) == {("GET", "", "/one"), ("GET", "", "/two")}  # the bound: 2
    again = guard._match(scope("/three"))  # beyond the bound: still matched, not remembered
    assert again is not None
    assert again.name == "three"
