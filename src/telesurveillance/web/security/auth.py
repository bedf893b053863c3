"""Authentication: who is calling (API token or session cookie), the log-in page, log-out,
`whoami`, and the FHIR AuditEvent export of the audit trail.

The log-in form is protected against login CSRF by a double-submit cookie (the page sets a
random cookie and puts the same value in the form); once logged in, every unsafe request made
with the session cookie is checked against the session's synchronizer token by the gate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import secrets
import uuid
from dataclasses import dataclass
from http import cookies
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import Scope

from telesurveillance.domain.access import roles
from telesurveillance.services.security import accounts, audit
from telesurveillance.web.dashboard import render
from telesurveillance.web.i18n import messages
from telesurveillance.web.nightscout import auth as nightscout_auth
from telesurveillance.web.patient_space import session as patient_session

LOGIN_CSRF_COOKIE = "tsv_login_csrf"
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=True,
)

router = APIRouter(tags=["security"])


def session_cookie(secure: bool) -> str:
    # The __Host- prefix pins the cookie to this host, path / and HTTPS (RFC 6265bis §4.1.3.2).
    return "__Host-tsv_session" if secure else "tsv_session"


@dataclass(frozen=True, slots=True)
class Authenticated:
    principal: roles.Principal | None = None
    by_cookie: bool = False
    csrf_token: str | None = None


def authenticate(services: Any, scope: Scope) -> Authenticated:
    """The principal of a request: a live bearer token, else a live session cookie."""
    if (site := nightscout_auth.principal(services, scope)) is not None:  # Nightscout paths
        return Authenticated(site)
    raw = dict(scope.get("headers", []))
    now = services.clock()
    store = services.store.accounts
    authorization = raw.get(b"authorization", b"").decode("latin-1")
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        token = accounts.resolve_token(store, secret.strip(), now)
        return Authenticated(token.principal() if token else None)
    jar = cookies.SimpleCookie()
    try:
        jar.load(raw.get(b"cookie", b"").decode("latin-1"))
    except cookies.CookieError:
        return Authenticated()
    for name in (session_cookie(True), session_cookie(False)):
        if name in jar:
            session = accounts.resolve_session(store, jar[name].value, now)
            if session is not None:
                return Authenticated(session.account.principal(), True, session.csrf_token)
    if (link := patient_session.resolve(services, jar, now)) is not None:  # issue 17: links
        return Authenticated(link[0], True, link[1])
    return Authenticated()


def safe_next(value: str) -> str:
    # Only a local path: never an open redirect to another site.
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _login_page(
    request: Request, message: str = "", next_: str = "/", status: int = 200
) -> Response:
    csrf = secrets.token_urlsafe(32)
    # the language switch of a logged-out user: `?lang=` (kept in the same cookie as the pages')
    chosen = request.query_params.get("lang", "")
    lang = chosen if chosen in messages.LANGUAGES else render.lang_of(request)
    html = _templates.get_template("login.html").render(
        lang=lang,
        t=lambda key, **values: messages.translate(key, lang, **values),
        csrf_token=csrf,
        next=safe_next(next_),
        message=message,
        oidc=getattr(request.app.state, "oidc", None) is not None,
    )
    response = HTMLResponse(html, status_code=status)
    if chosen == lang:
        response.set_cookie(render.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    secure = request.app.state.security_options.secure_cookies
    response.set_cookie(
        LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure, max_age=3600
    )
    return response


@router.get("/login", name="security.login_form", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The log-in page."""
    return _login_page(request, next_=next)


@router.post(
    "/login",
    name="security.login",
    response_class=HTMLResponse,
    responses={
        303: {"description": "Logged in: go to `next`"},
        401: {"description": "Wrong credentials", "content": {"text/html": {}}},
        403: {"description": "Expired form (CSRF)", "content": {"text/html": {}}},
    },
)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the credentials; on success open a session (cookie) and go to `next`."""
    services = request.app.state.services
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, "login.expired", next, 403)
    now = services.clock()
    store = services.store.accounts
    account = accounts.authenticate(store, username, password, now)
    audit_login(request, username, account, now)
    if account is None:
        return _login_page(request, "login.wrong", next, 401)
    return open_browser_session(request, store, account, now, next)


def open_browser_session(
    request: Request,
    store: accounts.Store,
    account: accounts.Account,
    now: dt.datetime,
    next_: str,
) -> Response:
    """Open a session for `account` (cookie) and go to `next_` (password or OIDC log-in)."""
    token, _csrf = accounts.open_session(store, account, now)
    response = RedirectResponse(safe_next(next_), status_code=303)
    secure = request.app.state.security_options.secure_cookies
    response.set_cookie(
        session_cookie(secure),
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def audit_login(
    request: Request,
    username: str,
    account: accounts.Account | None,
    now: Any,
    route: str = "security.login",
) -> None:
    client = request.client
    event = audit.Event(
        recorded_at=now,
        actor=f"account/{account.id}" if account else "anonymous",
        actor_name=username[:200],
        role=account.role.value if account else None,
        route=route,
        action="E",
        method=request.method,
        path=request.url.path,
        patient_id=None,
        source=client.host if client else "",
        status=303 if account else 401,
        request_id=str(getattr(request.state, "request_id", uuid.uuid4())),
    )
    request.app.state.services.store.audit.append(event)


@router.post(
    "/logout",
    name="security.logout",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "Logged out: back to the log-in page"}},
)
def logout(request: Request) -> Response:
    """End the session (the gate checked its CSRF token) and go back to the log-in page."""
    services = request.app.state.services
    secure = request.app.state.security_options.secure_cookies
    value = request.cookies.get(session_cookie(secure))
    if value:
        accounts.end_session(services.store.accounts, value)
    patient_session.end(services, request.cookies.get(patient_session.cookie_name(secure)))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(session_cookie(secure))
    response.delete_cookie(patient_session.cookie_name(secure))
    return response


@router.get("/auth/whoami", name="security.whoami")
def whoami(request: Request) -> dict[str, Any]:
    """The authenticated principal: role and scopes."""
    who: roles.Principal = request.state.principal
    shown = dataclasses.asdict(who)
    shown["subject"] = who.subject
    return shown


@router.get("/fhir/AuditEvent", name="security.audit_events")
def audit_events(
    request: Request,
    patient: Annotated[str | None, Query(max_length=40, pattern=r"^(Patient/)?[0-9]+$")] = None,
    count: Annotated[int, Query(alias="_count", ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> JSONResponse:
    """The audit trail as a FHIR searchset Bundle of AuditEvent, newest first; `before` pages
    back (events with a smaller id)."""
    patient_id = int(patient.rsplit("/", 1)[-1]) if patient else None
    log: audit.Log = request.app.state.services.store.audit
    events = log.events(patient_id=patient_id, limit=count, before_id=before)
    return JSONResponse(audit.bundle(events), media_type="application/fhir+json")


def include(app: FastAPI) -> None:
    app.include_router(router)
