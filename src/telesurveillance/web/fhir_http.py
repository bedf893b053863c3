"""HTTP plumbing of the FHIR API: bounded bodies, FHIR JSON responses, refusals, listeners."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from telesurveillance.adapters.fhir import outcome
from telesurveillance.adapters.sql import fhir_group_commit
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import instants, reading
from telesurveillance.web import app as web_app

MEDIA_TYPE = "application/fhir+json"
#: One resource (a Patient, an Observation): 1 MiB is far more than any real one.
RESOURCE_LIMIT = 1 << 20
#: A Bundle: 1,000 Observations take about 0.4 MiB.
BUNDLE_LIMIT = 16 << 20

log = logging.getLogger(__name__)


def services(request: Request) -> web_app.Services:
    return services_of(request.app)


def services_of(app: FastAPI) -> web_app.Services:
    found: web_app.Services = app.state.services
    return found


def window(request: Request) -> instants.Window:
    """The plausible instants of a reading now: the clock read once, the tolerance from the
    settings, the floor from the regulation (the start of the LATM common law)."""
    found = services(request)
    return instants.window(
        found.clock(), found.settings.clock_tolerance, found.regulation.common_law_start()
    )


def today(request: Request) -> dt.date:
    """The Paris day of the request (birth and death dates are checked against it)."""
    return calendar.paris_day(services(request).clock())


def writer(request: Request) -> fhir_group_commit.GroupCommit:
    """The app's group-commit writer (single readings: one fsync for many requests)."""
    found: fhir_group_commit.GroupCommit = request.app.state.fhir_writer
    return found


async def body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 beyond `limit` bytes (before reading it if declared)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
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


def parse_json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise outcome.Invalid(f"malformed JSON: {error}", status=400, code="structure") from None
    if not isinstance(document, dict):
        raise outcome.Invalid(
            "the body must be a JSON object (a FHIR resource)", status=400, code="structure"
        )
    return document


async def resource(request: Request, limit: int = RESOURCE_LIMIT) -> dict[str, Any]:
    return parse_json(await body(request, limit))


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
    digits = raw.removeprefix("W/").strip('"')
    if not digits.isdigit():
        raise outcome.Invalid(f'If-Match {raw!r} is not a version (W/"3")', status=400)
    return int(digits)
