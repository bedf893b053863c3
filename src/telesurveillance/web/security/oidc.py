"""OpenID Connect log-in (authorization code flow with PKCE, state and nonce), for a
Pro Santé Connect-style provider configured by its issuer URL.

`GET /login/oidc` sends the browser to the provider; `GET /login/oidc/callback` exchanges the
code (client secret + PKCE verifier, authlib's httpx client), checks the ID token's signature
against the provider's JWKS and its `iss`, `aud`, `exp` and `nonce` (joserfc), then opens a
session for the **existing** local account named by the configured claim: the provider proves
who the person is; the platform's administrator decides which role that person has
(`telesurveillance user create`). Pending log-ins (state → nonce, verifier, next) live in the
database for ten minutes (`services.security.shared`): the callback may reach another worker
than the start, and a state is used once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from telesurveillance import config
from telesurveillance.services.security import shared
from telesurveillance.web.security import auth

PENDING_SECONDS = 600
router = APIRouter(tags=["security"])


class Provider:
    """The configured provider: its endpoints (discovery document) and the pending log-ins."""

    def __init__(
        self,
        settings: config.Settings,
        issuer: str,
        client_id: str,
        pending: shared.PendingLogins,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = settings.oidc_client_secret
        self.claim = settings.oidc_username_claim
        self._metadata: dict[str, Any] | None = None
        self._pending = pending

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            found = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
            found.raise_for_status()
            document: dict[str, Any] = found.json()
            if document.get("issuer", "").rstrip("/") != self.issuer:
                raise ValueError("the discovery document names another issuer")
            self._metadata = document
        return self._metadata

    def client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            self.client_id,
            self.client_secret,
            scope="openid profile",
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=10,
        )

    def remember(self, state: str, login: shared.PendingLogin) -> None:
        self._pending.remember(state, login, time.time())

    def take(self, state: str) -> shared.PendingLogin | None:
        return self._pending.take(state, time.time()) if state else None


def _provider(request: Request) -> Provider | None:
    found: Provider | None = request.app.state.oidc
    return found


def _callback_url(request: Request) -> str:
    return str(request.url_for("security.oidc_callback"))


def _refused(message: str, status: int = 403) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Connexion</title>'
        f'</head><body><h1>Connexion refusée</h1><p>{message}</p><p><a href="/login">'
        "Retour à la connexion</a></p></body></html>"
    )
    return HTMLResponse(body, status)


@router.get("/login/oidc", name="security.oidc_start", include_in_schema=False)
def start(request: Request, next: str = "/") -> Response:
    """Send the browser to the provider's authorization endpoint."""
    provider = _provider(request)
    if provider is None:
        return _refused("La connexion par fournisseur d'identité n'est pas configurée.", 404)
    nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    client = provider.client(_callback_url(request))
    url, state = client.create_authorization_url(
        provider.metadata()["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    target = auth.safe_next(next)
    login = shared.PendingLogin(nonce, verifier, target, time.time() + PENDING_SECONDS)
    provider.remember(state, login)
    return RedirectResponse(url, status_code=303)


@router.get("/login/oidc/callback", name="security.oidc_callback", include_in_schema=False)
def callback(request: Request, state: str = "", code: str = "") -> Response:
    """Exchange the code, check the ID token, open a session for the matching account."""
    provider = _provider(request)
    if provider is None:
        return _refused("La connexion par fournisseur d'identité n'est pas configurée.", 404)
    pending = provider.take(state)
    if pending is None or not code:
        return _refused("Demande de connexion inconnue ou expirée : recommencez.", 400)
    metadata = provider.metadata()
    client = provider.client(_callback_url(request))
    try:
        tokens = client.fetch_token(
            metadata["token_endpoint"], code=code, code_verifier=pending.verifier
        )
        keys = KeySet.import_key_set(httpx.get(metadata["jwks_uri"], timeout=10).json())
        token = jwt.decode(str(tokens["id_token"]), keys)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            nonce={"essential": True, "value": pending.nonce},
            exp={"essential": True},
        ).validate(token.claims)
    except (httpx.HTTPError, JoseError, KeyError, ValueError):
        return _refused("Le fournisseur d'identité n'a pas confirmé la connexion.")
    username = token.claims.get(provider.claim)
    services = request.app.state.services
    store = services.store.accounts
    account = store.account_named(str(username)) if isinstance(username, str) else None
    now: dt.datetime = services.clock()
    usable = account if account is not None and account.active else None
    name = username if isinstance(username, str) else "?"
    auth.audit_login(request, name, usable, now, route="security.oidc_callback")
    if usable is None:
        return _refused("Aucun compte actif ne correspond à cette identité.")
    return auth.open_browser_session(request, store, usable, now, pending.next)


def include(app: FastAPI, settings: config.Settings) -> None:
    """Mount the two routes; they answer 404 when no issuer is configured."""
    issuer, client_id = settings.oidc_issuer, settings.oidc_client_id
    pending = app.state.services.store.oidc_pending
    found = Provider(settings, issuer, client_id, pending) if issuer and client_id else None
    app.state.oidc = found
    app.include_router(router)
