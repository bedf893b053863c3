"""HTTP plumbing of the FHIR API: media types, bounded bodies parsed once within limits, the
authorisation of what a handler writes, FHIR JSON responses, refusals, listeners."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from telesurveillance.adapters.fhir import ids, jsontext, outcome, provenance
from telesurveillance.domain import calendar
from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services import ingest
from telesurveillance.services.fhir import ports
from telesurveillance.web import context
from telesurveillance.web.security import gate, hardening

MEDIA_TYPE = "application/fhir+json"
#: One resource (a Patient, an Observation): 1 MiB is far more than any real one.
RESOURCE_LIMIT = 1 << 20
#: A Bundle: 1,000 Observations take about 0.4 MiB.
BUNDLE_LIMIT = 16 << 20
#: One resource or a Bundle as JSON: application/fhir+json (FHIR R4 http.html#mime-type), and
#: application/json and the DSTU2 name application/json+fhir as well.
JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")
#: NDJSON, one resource per line: application/fhir+ndjson (FHIR R4, nd-json.html), and the
#: generic application/ndjson and application/x-ndjson.
NDJSON_TYPES = ("application/fhir+ndjson", "application/ndjson", "application/x-ndjson")

log = logging.getLogger(__name__)


def services(request: Request) -> context.Services:
    return services_of(request.app)


def services_of(app: FastAPI) -> context.Services:
    found: context.Services = app.state.services
    return found


def window(request: Request) -> instants.Window:
    """The plausible instants of a reading now: the clock read once, the tolerance from the
    settings, the floor from the regulation (the start of the LATM common law)."""
    found = services(request)
    return instants.window(
        found.clock(), found.settings.clock_tolerance, _common_law_start(found.regulation)
    )


@functools.lru_cache(maxsize=8)
def _common_law_start(regulation: regulation_store.Regulation) -> dt.date:
    """The regulation's first day in force, read once per regulation (issue 18: the walk over
    its ~100 timelines cost more than the rest of a single reading's checks)."""
    return regulation.common_law_start()


def today(request: Request) -> dt.date:
    """The Paris day of the request (birth and death dates are checked against it)."""
    return calendar.paris_day(services(request).clock())


def writer(request: Request) -> ports.Writer:
    """The app's group-commit writer (single readings: one fsync for many requests)."""
    found: ports.Writer = request.app.state.fhir_writer
    return found


def media_type(request: Request) -> str:
    """The request's Content-Type without parameters (`charset`, `fhirVersion`), lower case."""
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def require_media_type(request: Request, accepted: Sequence[str]) -> None:
    """415 unless the body is declared as one of `accepted` (FHIR R4 http.html: 415 when a
    client posts a format the server does not support)."""
    given = media_type(request)
    if given not in accepted:
        told = f"Content-Type {given}" if given else "no Content-Type"
        raise outcome.Invalid(
            f"{told}: send {' or '.join(accepted)}", status=415, code="not-supported"
        )


async def body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 beyond `limit` bytes (before reading it if declared)."""
    declared = ids.decimal(request.headers.get("content-length", ""))
    if declared is not None and declared > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> outcome.Invalid:
    return outcome.Invalid(
        f"the body exceeds {limit:,} bytes: split it (Bundles of at most 1,000 entries, "
        "or POST /fhir/$import for NDJSON)",
        status=413,
        code="too-long",
    )


def max_depth(request: Request) -> int:
    """The JSON nesting limit of the app's security options."""
    options: hardening.Options | None = getattr(request.app.state, "security_options", None)
    return options.max_json_depth if options is not None else jsontext.MAX_DEPTH


def parse_json(raw: bytes, limit: int = jsontext.MAX_DEPTH) -> dict[str, Any]:
    document = jsontext.loads(raw, limit)
    if not isinstance(document, dict):
        raise outcome.Invalid(
            "the body must be a JSON object (a FHIR resource)", status=400, code="structure"
        )
    return document


async def resource(request: Request, limit: int = RESOURCE_LIMIT) -> dict[str, Any]:
    """The one JSON document of the body (a resource or a Bundle): 415 unless declared as
    JSON, 413 beyond `limit` bytes, 400 when malformed or nested too deep."""
    require_media_type(request, JSON_TYPES)
    return parse_json(await body(request, limit), max_depth(request))


def forbidden(refusal: writes.Refusal, expression: str | None = None) -> outcome.Invalid:
    return outcome.Invalid(refusal.message, expression, status=403, code="forbidden")


Grant = writes.Authorised[Sequence[reading.Reading]]


def sent(request: Request, resource: dict[str, Any]) -> ingest.Sent:
    """Who sent `resource` (issue 17): the request's token and device, the body's identifiers
    and `Observation.device` (403 when a device token's body names another device)."""
    source = ingest.source(ingest.SourceKind.FHIR, gate.principal(request))
    return provenance.sent(resource, source)


def grant(
    request: Request, route: str, batch: Sequence[reading.Reading], expression: str | None = None
) -> Grant:
    """The readings `batch`, judged as route `route` for the request's principal; 403 (located
    at `expression`) when refused."""
    found = gate.judge(request).grant(route, {r.patient_id for r in batch}, batch)
    if isinstance(found, writes.Refusal):
        raise forbidden(found, expression if found.why is writes.Why.SCOPE else None)
    return found


def respond(
    document: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(document, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def refuse(_request: Request, error: Exception) -> Response:
    """The exception handler of `outcome.Invalid`: its OperationOutcome, its status."""
    assert isinstance(error, outcome.Invalid)
    return respond(outcome.of(error), error.status)


def notify(request: Request, new: Sequence[reading.Reading]) -> None:
    """Hand the newly stored readings to the ingest listeners (alerts); never fail the ingest."""
    if not new:
        return
    for listener in services(request).after_ingest:
        try:
            listener(new)
        except Exception:
            log.exception("ingest listener %r failed", listener)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def etag(version: int) -> str:
    return f'W/"{version}"'


def if_match(request: Request) -> int | None:
    """The version of an `If-Match: W/"3"` header (None when absent)."""
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    version = ids.decimal(raw.removeprefix("W/").strip('"'))
    if version is None:
        raise outcome.Invalid(f'If-Match {raw!r} is not a version (W/"3")', status=400)
    return version
