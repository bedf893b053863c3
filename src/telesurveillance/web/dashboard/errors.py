"""The pages' error page: 401, 403, 404, 405, 413, 429 and 500 in the user's language, inside
the usual frame (menu, language switch, log-out), so no role ever lands on a bare page.

Two ways in: the security gate's refusals (a role not allowed, a failure no handler caught) go
through `app.state.error_page` (see `web/security/hardening.py`); the handlers' own HTTP errors
(a patient that does not exist) through the exception handler `install` chains in front of the
one already registered (the FHIR API's, which answers OperationOutcomes under /fhir). Only a
browser asking for HTML outside /fhir gets the page; API callers keep their JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi import exception_handlers as fastapi_handlers
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.types import Scope

from telesurveillance.web.dashboard import render

#: The message explaining each status; any other status gets `error.generic`.
MESSAGES = {
    401: "error.login",
    403: "error.forbidden",
    404: "error.missing",
    405: "error.method",
    413: "error.too_large",
    429: "error.throttled",
    500: "error.internal",
}

Handler = Callable[[Request, Exception], Awaitable[Response]]


def _wants_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/fhir")


def page(
    request: Request,
    status: int,
    headers: dict[str, str] | None = None,
    message: str | None = None,
) -> Response:
    """The error page for `status` (`message`: a message key saying more than the status)."""
    reference = getattr(request.state, "request_id", None) if status >= 500 else None
    answer = render.page(
        request,
        "error.html",
        status,
        error=message or MESSAGES.get(status, "error.generic"),
        title="error.title" if status >= 400 else "error.no_page_title",
        code=status,
        reference=reference,
        active="",
    )
    answer.headers.update(headers or {})
    return answer


def for_scope(scope: Scope, status: int, headers: dict[str, str]) -> Response:
    """The gate's entry (it holds an ASGI scope, not a request)."""
    return page(Request(scope), status, headers)


def install(app: FastAPI) -> None:
    app.state.error_page = for_scope
    found: Any = app.exception_handlers.get(HTTPException) or (
        fastapi_handlers.http_exception_handler
    )
    previous: Handler = found

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if _wants_page(request):
            return page(request, error.status_code, dict(error.headers or {}))
        return await previous(request, error)

    app.add_exception_handler(HTTPException, http_error)
