"""The Nightscout v1 routes uploaders and followers call, under a patient's site URL
(`/nightscout/{key}/api/v1/...`) and at the host root (`/api/v1/...`, where Loop calls).

Handlers are thin: the site (hence the patient) comes from the authenticated principal
(`web.nightscout.auth`), or, for a care-team principal the table allows, from the key in the
path (then checked against its patient scope); the body is decoded once
(`adapters.nightscout.documents`), mapped to readings (`entries`, `treatments`), and every
document goes through the ingestion service like a FHIR import (`services.imports.glucose`):
plausible instants, the judge (as the route called), the patient's birth, idempotent writes,
the alert hand-off, the audit event naming the patient. The answer is what uploaders need:
200 with every document echoed in order with its `_id`, refused ones included (their
refusals are logged: an uploader would only retry them forever).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from telesurveillance.adapters.cgm import lines
from telesurveillance.adapters.nightscout import documents, entries, ids, query, responses
from telesurveillance.adapters.nightscout import treatments as ns_treatments
from telesurveillance.domain.measures import instants, reading
from telesurveillance.services import ingest
from telesurveillance.services.imports import glucose
from telesurveillance.services.nightscout import sites
from telesurveillance.web import context
from telesurveillance.web.nightscout import auth
from telesurveillance.web.security import gate

log = logging.getLogger(__name__)

PREFIXES = ("/nightscout/{key}/api/v1", "/api/v1")
ENTRIES_WHERE = ingest.Where(subject="patient", instant="date", value="sgv")
TREATMENTS_WHERE = ingest.Where(subject="patient", instant="created_at", value="glucose")
#: Entry types read back, and the measurement each is stored as (`adapters.nightscout.entries`).
ENTRY_KINDS = {name: label for name, (label, _member) in entries.TYPES.items()}


def _json(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


def _site(request: Request) -> sites.Site | None:
    """The site the request acts on: the one its credential opened, else (a care-team
    principal) the one its path names, within the principal's patient scope."""
    found: sites.Site | None = getattr(request.state, auth.STATE, None)
    if found is not None:
        return found
    key = request.path_params.get("key")
    if key is None:
        return None
    store = context.of(request).store.nightscout_sites
    live = store.live_by_key(str(key))
    if live is None:
        return None
    gate.require_patient(request, live[0].patient_id)
    return live[0]


def _no_site() -> Response:
    return _json(
        responses.error(404, "Not Found", "no Nightscout site here: use the site's base URL"), 404
    )


def _window(services: context.Services) -> instants.Window:
    return instants.window(
        services.clock(), services.settings.clock_tolerance, services.regulation.common_law_start()
    )


def _notify(services: context.Services, new: Sequence[reading.Reading]) -> None:
    """The ingest listeners (alert evaluation, dashboard cache): never fail the upload."""
    for listener in services.after_ingest:
        try:
            listener(new)
        except Exception:
            log.exception("ingest listener %r failed", listener)


async def _upload(
    request: Request,
    route: str,
    parse: Callable[[list[dict[str, Any]], sites.Site], tuple[lines.Line, ...]],
    where: ingest.Where,
) -> Response:
    site = _site(request)
    if site is None:
        return _no_site()
    raw, encoding = await request.body(), request.headers.get("content-encoding")
    services = context.of(request)
    authorise = glucose.judged_as(gate.judge(request), route)

    def store() -> tuple[list[dict[str, Any]], tuple[lines.Line, ...], glucose.Report]:
        # off the event loop: decoding, mapping and writing a large batch take a while
        docs = documents.decode(raw, encoding)
        parsed = parse(docs, site)
        return (
            docs,
            parsed,
            glucose.ingest_lines(
                parsed,
                services.store.readings,
                authorise,
                table=services.measures,
                window=_window(services),
                where=where,
                after_write=lambda new: _notify(services, new),
                source=ingest.source(
                    ingest.SourceKind.NIGHTSCOUT, gate.principal(request), f"site {site.id}"
                ),
            ),
        )

    try:
        docs, parsed, report = await run_in_threadpool(store)
    except documents.BodyError as error:
        return _json(responses.error(400, "Bad Request", str(error)), 400)
    gate.written(request, report.ingested.patients)
    for refused in report.refused:
        log.info(
            "Nightscout site %s, %s document %d refused: %s (%s)",
            site.id,
            route,
            refused.line,
            refused.diagnostics,
            refused.expression,
        )
    given = [
        ids.entry_id(site.patient_id, line.readings[0].reading.kind, line.readings[0].reading.ts)
        if line.readings
        else None
        for line in parsed
    ]
    return _json(responses.echo(docs, given))


async def post_entries(request: Request) -> Response:
    """`POST /api/v1/entries[.json]`: `sgv`, `mbg` stored; `cal` and others acknowledged."""

    def parse(docs: list[dict[str, Any]], site: sites.Site) -> tuple[lines.Line, ...]:
        table = context.of(request).measures
        return entries.parse(docs, patient_id=site.patient_id, table=table)

    return await _upload(request, "nightscout.entries.create", parse, ENTRIES_WHERE)


async def post_treatments(request: Request) -> Response:
    """`POST`/`PUT /api/v1/treatments[.json]`: a blood glucose stored, the rest acknowledged."""

    def parse(docs: list[dict[str, Any]], site: sites.Site) -> tuple[lines.Line, ...]:
        table = context.of(request).measures
        return ns_treatments.parse(
            docs, patient_id=site.patient_id, site_units=site.units, table=table
        )

    return await _upload(request, "nightscout.treatments.create", parse, TREATMENTS_WHERE)


async def post_devicestatus(request: Request) -> Response:
    """`POST /api/v1/devicestatus[.json]`: acknowledged (the uploader's battery, the loop's
    state: not measurements), each with its `_id`."""
    if _site(request) is None:
        return _no_site()
    try:
        docs = documents.decode(await request.body(), request.headers.get("content-encoding"))
    except documents.BodyError as error:
        return _json(responses.error(400, "Bad Request", str(error)), 400)
    return _json(responses.echo(docs, [None] * len(docs)))


def _read_entries(
    request: Request, site: sites.Site, spec: str | None
) -> list[dict[str, Any]] | Response:
    services = context.of(request)
    table = services.measures
    now_ms = reading.millis(services.clock())
    by_id = ids.read_entry_id(spec, site.patient_id) if spec is not None else None
    if by_id is not None:
        kind, ts = by_id
        found = services.store.nightscout_entries.newest(
            site.patient_id, {kind}, since=ts, until=ts + 1, limit=1
        )
        return [entries.document(r, table=table) for r in found]
    current = spec == "current"
    try:
        asked = query.entries(
            dict(request.query_params), now_ms=now_ms, spec=None if current else spec
        )
    except query.QueryError as error:
        return _json(responses.error(400, "Bad Request", str(error)), 400)
    count = 1 if current else asked.count
    names = asked.types if asked.types is not None else ENTRY_KINDS.keys()
    kinds = {table.by_name(ENTRY_KINDS[n]).id for n in names if n in ENTRY_KINDS}
    found = services.store.nightscout_entries.newest(
        site.patient_id,
        kinds,
        since=asked.since,
        until=asked.until,
        limit=count + 1,  # one more, for the delta of the oldest returned
        low=asked.value_min,
        high=asked.value_max,
    )
    shown = found[:count]
    older = found[count] if len(found) > count else None
    deltas = entries.deltas(shown, older)
    return [entries.document(r, table=table, delta=d) for r, d in zip(shown, deltas, strict=True)]


async def get_entries(request: Request) -> Response:
    """`GET /api/v1/entries[.json]`, `/entries/{sgv|mbg|cal|current}[.json]`, `/entries/{id}`."""
    site = _site(request)
    if site is None:
        return _no_site()
    spec = request.path_params.get("spec")
    if spec is not None:
        spec = str(spec).removesuffix(".json")
    found = await run_in_threadpool(_read_entries, request, site, spec)
    return found if isinstance(found, Response) else _json(found)


async def get_nothing(request: Request) -> Response:
    """`GET /api/v1/treatments`, `/devicestatus`: the platform stores neither (a blood glucose
    sent as a treatment reads back as an `mbg` entry)."""
    if _site(request) is None:
        return _no_site()
    return _json([])


async def status(request: Request) -> Response:
    """`GET /api/v1/status.json`: what xDrip+ and py-nightscout check first."""
    site = _site(request)
    units = site.units if site is not None else "mg/dL"
    return _json(responses.status(now=context.of(request).clock(), units=units))


async def experiments_test(request: Request) -> Response:
    """`GET /api/v1/experiments/test`: Loop's check of the secret (the gate answered 401 to a
    wrong one)."""
    return _json(responses.experiments_test())


async def verifyauth(request: Request) -> Response:
    """`GET /api/v1/verifyauth` (public, as in Nightscout): whether the credential opens the
    site."""
    opened = getattr(request.state, auth.STATE, None) is not None
    return _json(responses.verifyauth(authorised=opened))


Handler = Callable[[Request], Awaitable[Response]]
#: (path under the prefix, methods, route name, handler)
ROUTES: list[tuple[str, list[str], str, Handler]] = [
    ("/status.json", ["GET"], "nightscout.status", status),
    ("/status", ["GET"], "nightscout.status", status),
    ("/experiments/test", ["GET"], "nightscout.status", experiments_test),
    ("/verifyauth", ["GET"], "nightscout.verifyauth", verifyauth),
    ("/entries", ["POST"], "nightscout.entries.create", post_entries),
    ("/entries.json", ["POST"], "nightscout.entries.create", post_entries),
    ("/entries", ["GET"], "nightscout.entries.read", get_entries),
    ("/entries.json", ["GET"], "nightscout.entries.read", get_entries),
    ("/entries/{spec}", ["GET"], "nightscout.entries.read", get_entries),
    ("/treatments", ["POST", "PUT"], "nightscout.treatments.create", post_treatments),
    ("/treatments.json", ["POST", "PUT"], "nightscout.treatments.create", post_treatments),
    ("/treatments", ["GET"], "nightscout.treatments.read", get_nothing),
    ("/treatments.json", ["GET"], "nightscout.treatments.read", get_nothing),
    ("/devicestatus", ["POST"], "nightscout.devicestatus.create", post_devicestatus),
    ("/devicestatus.json", ["POST"], "nightscout.devicestatus.create", post_devicestatus),
    ("/devicestatus", ["GET"], "nightscout.devicestatus.read", get_nothing),
    ("/devicestatus.json", ["GET"], "nightscout.devicestatus.read", get_nothing),
]


def include(app: FastAPI) -> None:
    """Mount the Nightscout routes under both prefixes (outside the OpenAPI description: the
    Nightscout project documents them)."""
    for prefix in PREFIXES:
        for path, methods, name, handler in ROUTES:
            app.add_api_route(
                prefix + path, handler, methods=methods, name=name, include_in_schema=False
            )
