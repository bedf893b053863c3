"""HTTP hardening pieces of the security gate (`web.security.gate`): options, refusals, security
headers, body and JSON-depth limits, the CSRF check.

The gate does not read request bodies to authorise them: a handler that parses its own body
(the FHIR API) applies the limits and the authorisation to what it parses
(`adapters/fhir/jsontext.py`, `domain/access/writes.py`). The gate reads and bounds only the
bodies the framework parses as JSON for a route's declared body, and counts every other body
against the size limit as the application reads it.
"""

from __future__ import annotations

import hmac
import logging
import math
import os
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import Message, Receive, Scope

from telesurveillance.adapters.fhir import jsontext

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = b"x-csrf-token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

#: No inline script anywhere (script-src 'self'); inline style attributes are tolerated (they
#: cannot run code); nothing may frame the pages (clickjacking); forms post to us only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True, slots=True)
class Options:
    """Security settings of the web app (environment variables in `from_env`)."""

    secure_cookies: bool = True
    """Session cookie sent over HTTPS only; turn off only for a plain-HTTP development server."""
    hsts: bool = False
    """Send Strict-Transport-Security (when the platform is served over HTTPS only)."""
    max_body: int = 16 * 1024 * 1024
    max_json_depth: int = jsontext.MAX_DEPTH
    token_rate: float = 50.0
    """Requests per second allowed on average per API token..."""
    token_burst: float = 200.0
    """... and in a burst."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Options:
        env = os.environ if environ is None else environ

        def flag(name: str, default: bool) -> bool:
            value = env.get(name)
            return default if value is None else value.strip().lower() in {"1", "true", "yes"}

        default = cls()
        return cls(
            secure_cookies=flag("TELESURVEILLANCE_SECURE_COOKIES", True),
            hsts=flag("TELESURVEILLANCE_HSTS", False),
            max_body=int(env.get("TELESURVEILLANCE_MAX_BODY", default.max_body)),
            token_rate=float(env.get("TELESURVEILLANCE_TOKEN_RATE", default.token_rate)),
            token_burst=float(env.get("TELESURVEILLANCE_TOKEN_BURST", default.token_burst)),
        )


class Refused(Exception):
    """A request the gate answers itself, with a status and a short reason."""

    def __init__(
        self, status: int, code: str, message: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _wants_html(scope: Scope) -> bool:
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return b"text/html" in accept


#: `app.state.error_page(scope, status, headers)`: the pages' own error page (with their menu,
#: in the user's language), installed by the dashboard; the plain page below without it.
ErrorPage = Callable[[Scope, int, dict[str, str]], Response]


def _error_page(scope: Scope, refused: Refused, headers: dict[str, str]) -> Response | None:
    app = scope.get("app")
    page: ErrorPage | None = getattr(getattr(app, "state", None), "error_page", None)
    if page is None:
        return None
    try:
        return page(scope, refused.status, headers)
    except Exception:  # never let the error page hide the error: the plain page then
        log.exception("the error page failed for a %s", refused.status)
        return None


def refusal(scope: Scope, refused: Refused) -> Response:
    """The answer to a refused request: FHIR OperationOutcome under /fhir, for a browser a
    redirect to the log-in page (GET without credentials) or an HTML page, JSON `{"detail": ...}`
    otherwise."""
    headers: dict[str, str] = {}
    if refused.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="telesurveillance"'
    if refused.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(refused.retry_after)))
    path = str(scope.get("path", ""))
    if path.startswith("/fhir"):
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": refused.code, "diagnostics": refused.message}],
        }
        return JSONResponse(outcome, refused.status, headers, media_type="application/fhir+json")
    if _wants_html(scope) and refused.status == 401 and scope.get("method") == "GET":
        # A browser without a session goes to the log-in page, and comes back after it.
        query = scope.get("query_string", b"").decode("latin-1")
        back = path + (f"?{query}" if query else "")
        target = "/login?" + urllib.parse.urlencode({"next": back})
        return RedirectResponse(target, 303, headers)
    if _wants_html(scope):
        page = _error_page(scope, refused, headers)
        if page is not None:
            return page
        link = '<p><a href="/login">Se connecter</a></p>' if refused.status == 401 else ""
        body = (
            f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f"<title>{refused.status}</title></head><body><h1>{refused.status}</h1>"
            f"<p>{refused.message}</p>{link}</body></html>"
        )
        return HTMLResponse(body, refused.status, headers)
    return JSONResponse({"detail": refused.message}, refused.status, headers)


def headers(options: Options) -> list[tuple[bytes, bytes]]:
    found = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        # health data must not stay in shared caches or the browser's history cache
        (b"cache-control", b"no-store"),
    ]
    if options.hsts:
        found.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return found


def merge(
    existing: list[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """`existing` plus the `extra` headers it does not set itself (a static file keeps its own
    Cache-Control)."""
    present = {name.lower() for name, _ in existing}
    return list(existing) + [(n, v) for n, v in extra if n not in present]


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON (or NDJSON) text, without parsing
    it (a deep document is refused before a recursive parser sees it)."""
    return jsontext.depth(body)


def _content_type(scope: Scope) -> str:
    raw: bytes = dict(scope.get("headers", [])).get(b"content-type", b"")
    return raw.decode("latin-1").split(";", 1)[0].strip().lower()


async def _read_all(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, "too-costly", f"request body over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """A `receive` that hands `body` once, then waits like a real connection."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def limit_body(
    scope: Scope, receive: Receive, options: Options, *, json_body: bool
) -> Receive:
    """Refuse a body over the size limit (413). When the framework parses the route's declared
    body (`json_body`: FastAPI reads JSON there), read it here (bounded) and refuse it nested
    too deep (400), whatever its Content-Type (forms aside); other bodies are counted as the
    application reads them."""
    declared = dict(scope.get("headers", [])).get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > options.max_body:
        raise Refused(413, "too-costly", f"request body over {options.max_body} bytes")
    if scope["method"] in {"GET", "HEAD", "OPTIONS"} and declared is None:
        return receive
    if json_body and _content_type(scope) not in _FORM_TYPES:
        body = await _read_all(receive, options.max_body)
        if jsontext.too_deep(body, options.max_json_depth):
            raise Refused(400, "structure", f"JSON nested deeper than {options.max_json_depth}")
        return replay(body)
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > options.max_body:
            raise Refused(413, "too-costly", f"request body over {options.max_body} bytes")
        return message

    return counted


async def check_csrf(
    scope: Scope, receive: Receive, expected: str | None
) -> tuple[Receive, Refused | None]:
    """Synchronizer-token check of an unsafe request made with the session cookie: the header
    `X-CSRF-Token` (htmx, fetch) or the form field `csrf_token` must equal the session's."""
    refused = Refused(403, "forbidden", "missing or wrong CSRF token")
    if not expected:
        return receive, refused
    header = dict(scope.get("headers", [])).get(CSRF_HEADER)
    if header is not None:
        ok = hmac.compare_digest(header.decode("latin-1"), expected)
        return receive, None if ok else refused
    kind = _content_type(scope)
    if kind not in _FORM_TYPES:
        return receive, refused
    body = await _read_all(receive, 16 * 1024 * 1024)
    if kind == "application/x-www-form-urlencoded":
        values = urllib.parse.parse_qs(body.decode("latin-1")).get(CSRF_FIELD, [""])
        given: Any = values[0]
    else:
        async with Request(scope, replay(body)).form() as form:
            given = form.get(CSRF_FIELD)
    ok = isinstance(given, str) and hmac.compare_digest(given, expected)
    return replay(body), None if ok else refused
