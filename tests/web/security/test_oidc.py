"""OpenID Connect log-in against a small provider started by the test on loopback: code flow
with PKCE, state and nonce; the ID token's signature and claims are checked; only an existing
local account may log in."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from telesurveillance import config
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import audit
from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts
from telesurveillance.web import app
from telesurveillance.web.security import hardening
from tests.web.security.conftest import NOW

CLIENT_ID, CLIENT_SECRET = "telesurveillance-test", "s3cret-client"


@dataclass
class Provider:
    """What the provider signs, for whom, and with which key (a rogue key signs badly)."""

    url: str = ""
    user: str = "dr.martin"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k"}))
    signing_key: RSAKey | None = None
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def id_token(self, nonce: str) -> str:
        claims = {
            "iss": self.url,
            "sub": "f:550-1234",
            "aud": CLIENT_ID,
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
            "nonce": nonce,
            "preferred_username": self.user,
        }
        return jwt.encode({"alg": "RS256", "kid": "k"}, claims, self.signing_key or self.key)


def _handler(provider: Provider) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _json(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            if parsed.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": provider.url,
                        "authorization_endpoint": f"{provider.url}/authorize",
                        "token_endpoint": f"{provider.url}/token",
                        "jwks_uri": f"{provider.url}/jwks",
                    }
                )
            elif parsed.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(private=False)]})
            elif parsed.path == "/authorize":
                assert query["client_id"] == CLIENT_ID
                assert query["code_challenge_method"] == "S256"
                code = secrets.token_urlsafe(16)
                provider.codes[code] = query
                back = {"code": code, "state": query["state"]}
                self.send_response(302)
                self.send_header(
                    "Location", f"{query['redirect_uri']}?{urllib.parse.urlencode(back)}"
                )
                self.end_headers()
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            asked = provider.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                self.headers.get("Authorization") != f"Basic {basic}"
                or asked is None
                or challenge != asked["code_challenge"]
            ):
                self._json({"error": "invalid_grant"}, 400)
                return
            self._json(
                {
                    "access_token": "opaque",
                    "token_type": "Bearer",
                    "id_token": provider.id_token(asked["nonce"]),
                }
            )

    return Handler


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    found = Provider()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    found.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()


def _client(engine: sa.Engine, tmp_path: Path, issuer: str | None) -> TestClient:
    settings = config.Settings(
        database_url=str(engine.url),
        data_dir=tmp_path,
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
    )
    options = hardening.Options(secure_cookies=False)
    built = app.create_app(settings, engine=engine, now=lambda: NOW, security_options=options)
    return TestClient(built, raise_server_exceptions=False)


def _account(engine: sa.Engine, username: str = "dr.martin") -> None:
    store = security_accounts.SqlAccounts(engine)
    accounts.create_account(store, username, None, roles.Role.MEDECIN, NOW, display_name="Martin")


def _log_in(client: TestClient, provider: Provider, next_: str = "/ui/worklist") -> httpx.Response:
    start = client.get("/login/oidc", params={"next": next_}, follow_redirects=False)
    assert start.status_code == 303
    assert start.headers["location"].startswith(f"{provider.url}/authorize?")
    approved = httpx.get(start.headers["location"], follow_redirects=False)
    assert approved.status_code == 302
    back = urllib.parse.urlsplit(approved.headers["location"])
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_a_physician_logs_in_through_the_provider_and_gets_her_role(
    engine: sa.Engine, tmp_path: Path, provider: Provider
) -> None:
    _account(engine)
    client = _client(engine, tmp_path, provider.url)
    answer = _log_in(client, provider)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/worklist"
    who = client.get("/auth/whoami").json()
    assert who["role"] == "medecin"
    events = audit.SqlAuditLog(engine).events()
    assert any(e.route == "security.oidc_callback" and e.status == 303 for e in events)


def test_an_identity_without_a_local_account_is_refused(
    engine: sa.Engine, tmp_path: Path, provider: Provider
) -> None:
    _account(engine, "someone.else")
    client = _client(engine, tmp_path, provider.url)
    answer = _log_in(client, provider)
    assert answer.status_code == 403
    assert client.get("/auth/whoami").status_code == 401


def test_an_id_token_signed_by_another_key_is_refused(
    engine: sa.Engine, tmp_path: Path, provider: Provider
) -> None:
    _account(engine)
    client = _client(engine, tmp_path, provider.url)
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k"})
    try:
        answer = _log_in(client, provider)
    finally:
        provider.signing_key = None
    assert answer.status_code == 403
    assert client.get("/auth/whoami").status_code == 401


def test_a_replayed_or_unknown_state_is_refused(
    engine: sa.Engine, tmp_path: Path, provider: Provider
) -> None:
    _account(engine)
    client = _client(engine, tmp_path, provider.url)
    start = client.get("/login/oidc", follow_redirects=False)
    approved = httpx.get(start.headers["location"], follow_redirects=False)
    back = urllib.parse.urlsplit(approved.headers["location"])
    assert client.get(f"{back.path}?{back.query}", follow_redirects=False).status_code == 303
    replay = client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert replay.status_code == 400
    forged = client.get("/login/oidc/callback", params={"state": "forged", "code": "x"})
    assert forged.status_code == 400


def test_without_an_issuer_the_oidc_routes_answer_404(engine: sa.Engine, tmp_path: Path) -> None:
    client = _client(engine, tmp_path, None)
    assert client.get("/login/oidc", follow_redirects=False).status_code == 404


def test_the_login_page_offers_the_provider_only_when_configured(
    engine: sa.Engine, tmp_path: Path, provider: Provider
) -> None:
    assert "/login/oidc" in _client(engine, tmp_path, provider.url).get("/login").text
    assert "/login/oidc" not in _client(engine, tmp_path, None).get("/login").text
