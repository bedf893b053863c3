"""Log-in with a local account: session cookie, CSRF on every form, lock-out."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import audit
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from tests.web.security.conftest import NOW, PASSWORD, SecureClient


@pytest.fixture
def client(secure_client: SecureClient, engine: sa.Engine) -> TestClient:
    store = security_accounts.SqlAccounts(engine)
    accounts.create_account(store, "martin", PASSWORD, roles.Role.MEDECIN, NOW)
    return secure_client()


def _form_token(client: TestClient) -> str:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _log_in(client: TestClient, password: str = PASSWORD, next_: str = "/auth/whoami") -> int:
    form = {"username": "martin", "password": password, "csrf_token": _form_token(client)}
    response = client.post("/login", data={**form, "next": next_}, follow_redirects=False)
    return response.status_code


def test_the_log_in_page_has_no_inline_script(client: TestClient) -> None:
    page = client.get("/login").text
    assert "<script" not in page
    assert 'name="csrf_token"' in page


def test_logging_in_sets_an_httponly_samesite_session_cookie(client: TestClient) -> None:
    form = {"username": "martin", "password": PASSWORD, "csrf_token": _form_token(client)}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert client.get("/auth/whoami").json()["role"] == "medecin"


def test_the_session_cookie_is_secure_when_the_option_is_on(
    secure_client: SecureClient, engine: sa.Engine
) -> None:
    response = secure_client(secure_cookies=True).get("/login")
    assert "secure" in response.headers["set-cookie"].lower()


def test_a_log_in_without_the_form_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    form = {"username": "martin", "password": PASSWORD, "csrf_token": "forged"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 403


def test_a_wrong_password_answers_401_and_is_audited(client: TestClient, engine: sa.Engine) -> None:
    assert _log_in(client, "Wrong-password-1") == 401
    events = audit.SqlAuditLog(engine).events()
    assert [(e.route, e.status, e.actor_name) for e in events] == [
        ("security.login", 401, "martin")
    ]


def test_the_account_locks_after_five_failures(client: TestClient) -> None:
    for _ in range(accounts.MAX_FAILURES):
        assert _log_in(client, "Wrong-password-1") == 401
    assert _log_in(client) == 401


def test_an_unsafe_request_with_the_session_cookie_needs_the_csrf_token(
    client: TestClient,
) -> None:
    assert _log_in(client) == 303
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": "x"}).status_code == 403
    assert client.get("/auth/whoami").status_code == 200  # still logged in


def test_logging_out_with_the_csrf_token_ends_the_session(
    client: TestClient, engine: sa.Engine
) -> None:
    assert _log_in(client) == 303
    with engine.connect() as conn:
        csrf = conn.exec_driver_sql("SELECT csrf_token FROM sessions").scalar_one()
    wrong = client.post("/logout", headers={"X-CSRF-Token": "nope"}, follow_redirects=False)
    assert wrong.status_code == 403
    form = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert form.status_code == 303
    assert client.get("/auth/whoami").status_code == 401


def test_log_in_never_redirects_to_another_site(client: TestClient) -> None:
    form = {"username": "martin", "password": PASSWORD, "csrf_token": _form_token(client)}
    response = client.post(
        "/login", data={**form, "next": "//evil.example/"}, follow_redirects=False
    )
    assert response.headers["location"] == "/"
