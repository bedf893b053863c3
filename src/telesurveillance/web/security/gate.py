"""The security gate of the app: one ASGI middleware in front of every route.

For each HTTP request, in this order:

1. hardening: body size limit (413), JSON nesting limit (400) on the bodies the framework
   parses, security headers on every response, and no stack trace ever sent (a generic 500
   carrying an id that is logged);
2. authentication (`web.security.auth.authenticate`): `Authorization: Bearer` API token or session
cookie;
3. authorisation: the route that will answer is matched here, and its `name` looked up in the
   role × route table (`domain/access/permissions.yaml`): 401 without credentials, 403 when the
   role is not allowed or the request names a patient / exploitant outside the principal's
   scope in its path or query; a missing entry is refused to all but `administrateur` (default
   deny). The gate never parses a body to authorise it: a handler that writes what a body
   holds parses it once and has each object judged by the request's `judge` (the same table
   and scopes, `domain/access/writes.py`), and its write functions take only what was judged;
4. per-token rate limit (429 with Retry-After);
5. CSRF: an unsafe request authenticated by the session cookie must carry the session's token
   (form field `csrf_token` or header `X-CSRF-Token`);
6. audit: a route marked `patient_data` or `audited` has its event appended before the
   response leaves (so every acknowledged read or write is traced): one event per patient
   whose data the handler wrote (`written`) or whose objects the judge refused, else one event
   naming the patient of the path or query.

Handlers read the principal as `request.state.principal` (`principal(request)`) and the judge
of their writes as `judge(request)`.
"""

from __future__ import annotations

import logging
import re
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi import params as fastapi_params
from fastapi import routing as fastapi_routing
from sqlalchemy import exc as sa_exc
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telesurveillance.adapters.fhir import ids
from telesurveillance.domain.access import matrix, roles, writes
from telesurveillance.services.security import audit
from telesurveillance.web.security import auth, hardening

log = logging.getLogger(__name__)

Options = hardening.Options
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_OBSERVATION_ID = re.compile(r"p([0-9]{1,18})-k[0-9.]+-t-?[0-9]+")


def principal(request: Request) -> roles.Principal:
    """The authenticated principal of the request (the gate refused it otherwise)."""
    found: roles.Principal | None = getattr(request.state, "principal", None)
    if found is None:  # only on a public route
        raise HTTPException(status_code=401, detail="authentication required")
    return found


def judge(request: Request) -> writes.Judge:
    """The judge of what the request writes (made by the gate for its principal)."""
    found: writes.Judge | None = getattr(request.state, "judge", None)
    if found is None:  # only on a public route
        raise HTTPException(status_code=401, detail="authentication required")
    return found


def written(request: Request, patients: Iterable[int]) -> None:
    """Name, for the audit trail, patients whose data the request wrote (after the commit)."""
    found: set[int] = getattr(request.state, "audit_written", set())
    found.update(patients)
    request.state.audit_written = found


def audit_in_commit(
    request: Request, patients: Iterable[int]
) -> Callable[[int], list[audit.Event]] | None:
    """The audit events of this request as if it answered a status having written
    `patients`, for a writer to commit them in the transaction of those very data (issue 18:
    one durable commit for the readings and their trace). Call `audit_committed` once that
    commit returned; None when the route is not traced."""
    events: Callable[..., list[audit.Event]] | None = getattr(request.state, "audit_events", None)
    if events is None:
        return None
    chosen = frozenset(patients)
    return lambda status: events(status, chosen)


def audit_committed(request: Request) -> None:
    """The request's audit events were committed with its data: the gate writes none."""
    request.state.audit_committed = True


def require_patient(request: Request, patient_id: int) -> None:
    """403 unless the principal may see `patient_id`; also names the patient in the audit
    event. Call it in handlers that read a patient not named by a path or query parameter (a
    resource read by its own id). Writes are judged with `judge(request)` instead."""
    request.state.audit_patient_id = patient_id
    if not principal(request).may_see_patient(patient_id):
        raise HTTPException(status_code=403, detail="outside your patient scope")


def require_exploitant(request: Request, exploitant_id: int) -> None:
    """403 unless the principal may see `exploitant_id`."""
    if not principal(request).may_see_exploitant(exploitant_id):
        raise HTTPException(status_code=403, detail="outside your exploitant scope")


def csrf_token(request: Request) -> str:
    """The session's CSRF token, for forms: `<input type=hidden name=csrf_token value=...>`."""
    return str(getattr(request.state, "csrf_token", "") or "")


#: The (method, path) pairs whose route the gate remembers (`Guard._match`).
MATCHED = 1024


@dataclass(frozen=True, slots=True)
class _Target:
    name: str | None
    params: dict[str, Any]
    json_body: bool = False
    """The framework parses the route's declared body as JSON (the gate bounds it)."""


def match(routes: list[BaseRoute], scope: Scope) -> _Target | None:
    """The route that will answer `scope`, as the router will choose it (first full match,
    over the routes of the included routers flattened in order)."""
    for route in fastapi_routing.iter_route_contexts(routes):
        found, child = route.matches(scope)
        if found is Match.FULL:
            field = getattr(route.original_route, "body_field", None)
            json_body = field is not None and not isinstance(field.field_info, fastapi_params.Form)
            return _Target(route.name, dict(child.get("path_params", {})), json_body)
    return None


def _scoped_id(value: Any) -> int:
    """A patient / exploitant id from `12`, a FHIR reference `Patient/12` or an Observation id
    `p12-k3-t…`; -1 when it names nothing we issued (never in anyone's scope)."""
    text = str(value).rsplit("/", 1)[-1]
    number = ids.decimal(text)
    if number is not None:
        return number
    found = _OBSERVATION_ID.fullmatch(text)
    return int(found.group(1)) if found else -1


def _param_values(name: str, target: _Target, scope: Scope) -> list[Any]:
    if name in target.params:
        return [target.params[name]]
    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return list(query.get(name, []))


def _named_patients(rule: matrix.Rule | None, target: _Target, scope: Scope) -> list[int]:
    """The patients the request names in the route's patient parameters."""
    if rule is None:
        return []
    return [_scoped_id(v) for n in rule.patient_params for v in _param_values(n, target, scope)]


def _scope_refusal(
    who: roles.Principal,
    rule: matrix.Rule | None,
    target: _Target,
    scope: Scope,
    named: list[int],
) -> hardening.Refused | None:
    """403 when a scoped principal names someone else's patient or exploitant (or names no
    patient on a route that needs it: a search without `patient=` would return everyone), or
    calls a patient-data route where nothing checks its patient scope."""
    outside = hardening.Refused(403, "forbidden", "outside your patient scope")
    if rule is None:
        return None
    if who.patient_id is not None and rule.patient_data:
        if rule.patient_params and (not named or any(p != who.patient_id for p in named)):
            return outside
        if not rule.patient_params and not rule.patient_in_body and not rule.patient_self:
            return outside
    if rule.exploitant_param is not None and who.exploitant_id is not None:
        values = _param_values(rule.exploitant_param, target, scope)
        if not values or any(_scoped_id(v) != who.exploitant_id for v in values):
            return hardening.Refused(403, "forbidden", "outside your exploitant scope")
    return None


class Guard:
    def __init__(self, app: ASGIApp, *, fastapi: FastAPI, options: Options) -> None:
        self.app = app
        self.fastapi = fastapi
        self.options = options
        self.matrix = matrix.packaged()
        self._matched: dict[tuple[str, str, str], _Target] = {}

    def _match(self, scope: Scope) -> _Target | None:
        """`match`, remembered per method and path (issue 18: walking the route table was the
        gate's largest cost per request). The routes are fixed once the app serves; a path
        with parameters is matched each time (its parameters are the request's), and at most
        `MATCHED` paths are remembered (only paths a route answers), so requests for made-up
        paths cannot grow it."""
        key = (scope["method"], scope.get("root_path", ""), scope["path"])
        found = self._matched.get(key)
        if found is not None:
            return found
        found = match(self.fastapi.router.routes, scope)
        if found is not None and not found.params and len(self._matched) < MATCHED:
            self._matched[key] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # no WebSocket route is in the table: refused (policy violation), never unchecked
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = False
        headers = hardening.headers(self.options)

        async def send_hardened(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = hardening.merge(message.get("headers", []), headers)
            await send(message)

        try:
            await self._gate(scope, receive, send_hardened, state)
        except hardening.Refused as refused:
            if started:
                raise
            await hardening.refusal(scope, refused)(scope, receive, send_hardened)
        except Exception as exc:
            if started:
                log.exception("error after the response started, request id %s", request_id)
                raise
            answer = _failure(exc, request_id)
            await hardening.refusal(scope, answer)(scope, receive, send_hardened)

    async def _gate(
        self, scope: Scope, receive: Receive, send: Send, state: MutableMapping[str, Any]
    ) -> None:
        services = self.fastapi.state.services
        target = self._match(scope)
        who = await run_in_threadpool(auth.authenticate, services, scope)
        state["principal"] = who.principal
        state["user"] = who.principal  # the name web/billing.py reads for the acting user
        state["csrf_token"] = who.csrf_token
        if target is None:  # the router will answer 404 or 405
            if who.principal is None:
                raise hardening.Refused(401, "login", "authentication required")
            await self.app(scope, receive, send)
            return
        rule = self.matrix.rule(target.name) if target.name else None
        decision = self.matrix.decide(target.name, who.principal)
        if decision is matrix.Decision.UNAUTHENTICATED:
            raise hardening.Refused(401, "login", "authentication required")
        refused: hardening.Refused | None = None
        try:
            receive = await hardening.limit_body(
                scope, receive, self.options, json_body=target.json_body
            )
        except hardening.Refused as too_much:  # answered (and audited) below
            refused = too_much
        named = _named_patients(rule, target, scope)
        if who.principal is not None:
            state["judge"] = writes.Judge(self.matrix, who.principal)
        if refused is None and decision is matrix.Decision.FORBIDDEN:
            refused = hardening.Refused(403, "forbidden", "your role may not do this")
        elif refused is None and who.principal is not None:
            refused = _scope_refusal(who.principal, rule, target, scope, named)
            if refused is None and who.principal.kind is roles.Kind.TOKEN:
                # a database round trip on PostgreSQL (shared by the workers): off the loop
                refused = await run_in_threadpool(self._throttle, who.principal)
            if refused is None and who.by_cookie and scope["method"] in UNSAFE:
                receive, refused = await hardening.check_csrf(scope, receive, who.csrf_token)
        call = self.app if refused is None else hardening.refusal(scope, refused)
        if rule is None or not rule.traced or who.principal is None:
            await call(scope, receive, send)
            return
        known = [p for p in named if p >= 0]
        patient_id = known[0] if known else who.principal.patient_id
        audited = self._auditing(send, scope, state, rule, who.principal, patient_id)
        try:
            await call(scope, receive, audited)
        except Exception as exc:
            if state.get("audited"):
                raise
            # audit the failure too: answer here, through the auditing `send` (a body found
            # over the limit while the handler reads it is the gate's own refusal, a 413)
            if isinstance(exc, hardening.Refused):
                refused = exc
            else:
                refused = _failure(exc, str(state["request_id"]))
            await hardening.refusal(scope, refused)(scope, receive, audited)

    def _throttle(self, who: roles.Principal) -> hardening.Refused | None:
        if who.kind is not roles.Kind.TOKEN:
            return None
        # shared by the workers on PostgreSQL (services.security.shared), wall-clock seconds
        limits = self.fastapi.state.services.store.rate_limits
        wait = limits.take(who.id, self.options.token_rate, self.options.token_burst, time.time())
        if wait <= 0:
            return None
        return hardening.Refused(
            429, "throttled", "too many requests for this token", retry_after=wait
        )

    def _auditing(
        self,
        send: Send,
        scope: Scope,
        state: MutableMapping[str, Any],
        rule: matrix.Rule,
        actor: roles.Principal,
        patient_id: int | None,
    ) -> Callable[[Message], Awaitable[None]]:
        services = self.fastapi.state.services

        def events(status: int, wrote: frozenset[int] = frozenset()) -> list[audit.Event]:
            named = state.get("audit_patient_id", patient_id)
            return [
                audit.Event(
                    recorded_at=services.clock(),
                    actor=actor.subject,
                    actor_name=actor.name,
                    role=actor.role.value,
                    route=rule.name,
                    action=audit.action_of(scope["method"], rule.action),
                    method=scope["method"],
                    path=_path(scope),
                    patient_id=patient,
                    source=_source(scope),
                    status=outcome,
                    request_id=str(state["request_id"]),
                )
                for patient, outcome in _audited_patients(state, named, status, wrote)
            ]

        state["audit_events"] = events

        async def send_audited(message: Message) -> None:
            if message["type"] == "http.response.start":
                # committed with the data the request wrote (`audit_in_commit`), else here
                if not state.get("audit_committed"):
                    # one group-committing writer per app: concurrent requests share an fsync
                    trail: audit.Trail = services.store.audit_trail
                    await run_in_threadpool(trail.append_all, events(int(message["status"])))
                state["audited"] = True
            await send(message)

        return send_audited


def _audited_patients(
    state: MutableMapping[str, Any], named: int | None, status: int, wrote: frozenset[int]
) -> list[tuple[int | None, int]]:
    """(patient, status) of each audit event of a request. A request that wrote patients'
    data, or had objects refused for being outside the scope, gets one event per patient:
    403 for a patient refused; for a patient written, the response status, or 200 when the
    response refuses other objects (the patient's data were stored all the same). Otherwise
    one event, naming the patient of the path or query."""
    written: set[int] = (state.get("audit_written") or set()) | wrote
    judged: writes.Judge | None = state.get("judge")
    refused = (judged.refused if judged is not None else set()) - written
    if not written and not refused:
        return [(named if named is None or named >= 0 else None, status)]
    stored = status if status < 400 else 200
    found: list[tuple[int | None, int]] = [(p, stored) for p in sorted(written)]
    return found + [(p, 403) for p in sorted(refused)]


def _failure(exc: Exception, request_id: str) -> hardening.Refused:
    """The answer to an exception no handler caught: never its text or stack trace. A number
    or string the database cannot hold (an id beyond 64 bits, a value too long) is the
    client's error (400); anything else is ours (500), logged with the id given to the client."""
    if isinstance(exc, OverflowError | sa_exc.DataError):
        log.warning("value out of range for the store, request id %s: %s", request_id, exc)
        return hardening.Refused(400, "value", f"a value is out of range (id {request_id})")
    log.error("unhandled error, request id %s", request_id, exc_info=exc)
    return hardening.Refused(500, "exception", f"internal error (id {request_id})")


def _path(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return str(scope["path"]) + (f"?{query}" if query else "")


def _source(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


_DOCUMENTED = {
    "401": "Authentication required (no or invalid credentials)",
    "403": "Forbidden for this role or outside the principal's scope",
    "413": "Request body too large",
    "429": "Too many requests for this API token (see Retry-After)",
}


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The app's OpenAPI document, with the answers of the gate documented on every route."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                if not isinstance(operation, dict) or method.startswith("x-"):
                    continue
                responses = operation.setdefault("responses", {})
                for code, text in _DOCUMENTED.items():
                    responses.setdefault(code, {"description": text})
        app.openapi_schema = schema
        return schema

    return openapi


def install(app: FastAPI, options: Options | None = None) -> None:
    """Put the gate in front of `app` and mount the log-in routes and the audit export."""
    chosen = options if options is not None else Options.from_env()
    app.state.security_options = chosen
    app.add_middleware(Guard, fastapi=app, options=chosen)
    auth.include(app)
    app.openapi = _openapi(app)  # type: ignore[method-assign]
