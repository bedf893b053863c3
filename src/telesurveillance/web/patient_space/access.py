"""Using an access link: `GET /acces#<secret>` shows a page with one button, `POST /acces`
opens the session.

The secret is the address's fragment, which browsers never send: it is in no access log, no
proxy log, no Referer. The page's script (`static/patient_space/link.js`, no inline script)
copies it into the form and drops it from the address bar and the history. The GET looks
nothing up (a mail client or a messaging app that previews the link must not spend a
single-use link, nor learn whether it is valid); the POST, protected against log-in
CSRF by a double-submit cookie as the log-in form is, redeems the link (compare-and-set),
opens a session limited to its patient and goes to `/moi`. Expired, revoked, used and unknown
links get a page saying so in the patient's language. Every attempt is rate-limited per client
address (`Limiter`) and written to the audit trail, as the log-ins are.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from telesurveillance.domain.access import bucket
from telesurveillance.services.patient_space import links, ports
from telesurveillance.services.security import accounts, audit
from telesurveillance.web import context
from telesurveillance.web.dashboard import render
from telesurveillance.web.patient_space import session
from telesurveillance.web.security import auth

router = APIRouter(tags=["patient_space"])
CSRF_COOKIE = "tsv_link_csrf"
#: Attempts per client address: bursts of 10, then one every 6 seconds (10 a minute).
RATE = 1 / 6
BURST = 10.0
ROUTE = "patient_space.link_open"
#: The message of each reason a link cannot be used.
REFUSALS = {
    ports.LinkState.EXPIRED: "space.link.expired",
    ports.LinkState.REVOKED: "space.link.revoked",
    ports.LinkState.USED: "space.link.used",
}


class Limiter:
    """A token bucket per client address, in the server process (as the API tokens' buckets;
    with several worker processes each has its own)."""

    def __init__(self, rate: float = RATE, burst: float = BURST) -> None:
        self.rate, self.burst = rate, burst
        self.buckets: dict[str, bucket.Bucket] = {}
        self.lock = threading.Lock()

    def wait(self, address: str) -> float:
        """0.0 if an attempt from `address` may proceed now, else the seconds to wait."""
        now = time.monotonic()
        with self.lock:
            if len(self.buckets) > 10_000:  # forget idle addresses rather than grow for ever
                self.buckets = {a: b for a, b in self.buckets.items() if now - b.updated < 3600}
            found = self.buckets.get(address)
            if found is None:
                found = self.buckets[address] = bucket.Bucket.full(self.rate, self.burst, now)
            return found.take(now)


def _limiter(request: Request) -> Limiter:
    found = getattr(request.app.state, "link_limiter", None)
    if found is None:
        found = request.app.state.link_limiter = Limiter()
    assert isinstance(found, Limiter)
    return found


def _page(request: Request, status: int, **values: object) -> HTMLResponse:
    values.setdefault("refusal", None)
    return render.page(request, "patient_space_link.html", status, active="", **values)


@router.get(
    "/acces",
    name="patient_space.link_form",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def link_form(request: Request) -> Response:
    """The link's landing page: one button that opens the patient's space."""
    csrf = secrets.token_urlsafe(32)
    answer = _page(request, 200, link_csrf=csrf)
    secure = request.app.state.security_options.secure_cookies
    answer.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure, max_age=3600
    )
    return answer


def _audit(request: Request, link: tuple[int, int] | None, status: int) -> None:
    """One event per attempt: the link (`link/<id>`) and its patient when the link exists."""
    client = request.client
    services = context.of(request)
    actor = f"link/{link[0]}" if link else "anonymous"
    event = audit.Event(
        recorded_at=services.clock(),
        actor=actor,
        actor_name=actor,
        role="patient" if link else None,
        route=ROUTE,
        action="E",
        method=request.method,
        path=request.url.path,
        patient_id=link[1] if link else None,
        source=client.host if client else "",
        status=status,
        request_id=str(getattr(request.state, "request_id", uuid.uuid4())),
    )
    services.store.audit.append(event)


@router.post(
    "/acces",
    name=ROUTE,
    response_class=HTMLResponse,
    include_in_schema=False,
    responses={
        303: {"description": "Link used: go to the patient's page"},
        403: {"description": "Expired form (CSRF)", "content": {"text/html": {}}},
        410: {"description": "Expired, revoked or used link", "content": {"text/html": {}}},
        429: {"description": "Too many attempts", "content": {"text/html": {}}},
    },
)
def link_open(
    request: Request,
    secret: Annotated[str, Form(max_length=200)],
    link_csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Use the link: a session limited to its patient, or a page saying why not. A session
    the browser already had (another link's, an account's) ends: the page that opens is the
    link's patient's, whoever used the phone before."""
    client = request.client
    wait = _limiter(request).wait(client.host if client else "")
    if wait > 0:
        _audit(request, None, 429)
        answer = _page(request, 429, refusal="space.link.throttled")
        answer.headers["Retry-After"] = str(max(1, round(wait)))
        return answer
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, link_csrf):
        return _page(request, 403, refusal="space.link.form_expired")
    services = context.of(request)
    store = services.store.patient_space
    now = services.clock()
    try:
        opened = links.open_session(store, secret, now)
    except links.LinkError as error:
        if error.state is None:
            _audit(request, None, 404)
            return _page(request, 404, refusal="space.link.unknown")
        found = store.link_by_digest(links.digest(secret))
        _audit(request, (found.id, found.patient_id) if found else None, 410)
        return _page(request, 410, refusal=REFUSALS[error.state])
    _audit(request, (opened.link_id, opened.patient_id), 303)
    opened_page = RedirectResponse("/moi", status_code=303)
    secure = request.app.state.security_options.secure_cookies
    opened_page.set_cookie(
        session.cookie_name(secure),
        opened.token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(links.SESSION_LIFETIME.total_seconds()),
    )
    opened_page.delete_cookie(CSRF_COOKIE)
    _end_previous(request, opened_page, secure)
    return opened_page


def _end_previous(request: Request, answer: Response, secure: bool) -> None:
    """End the account session the browser had, if any (its cookie too); a previous link
    session's cookie is replaced by the new one, and ended here."""
    services = context.of(request)
    account_cookie = auth.session_cookie(secure)
    if value := request.cookies.get(account_cookie):
        accounts.end_session(services.store.accounts, value)
        answer.delete_cookie(account_cookie)
    session.end(services, request.cookies.get(session.cookie_name(secure)))
