"""Observation create, read, search; QuestionnaireResponse (its total score) create.

A create parses the body once, has its readings judged (role and patient scope, 403 otherwise)
and writes those very readings. It answers only after the durable commit: 201 with the stored
Observation when the reading is new, 200 with the stored one when it was already there (a
retry: same patient, LOINC kind and instant), then the ingest listeners (alerts) get the new
readings.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from telesurveillance.adapters.fhir import fast, ids, observations, outcome, questionnaires, search
from telesurveillance.domain.measures import reading
from telesurveillance.web.fhir import corrections, http, registry
from telesurveillance.web.security import gate

STORE = observations.Action.STORE


async def _store(
    request: Request,
    grant: http.Grant,
    resource: dict[str, Any],
    action: observations.Action = observations.Action.STORE,
) -> Response:
    services = http.services(request)
    batch = grant.value
    where = observations.where(resource)
    # issue 18: a new reading and its audit event share one commit (a correction answers with
    # its own status: audited by the gate as before)
    audit_of = gate.audit_in_commit(request, grant.patients) if action is STORE else None
    sent = http.sent(request, resource)  # issue 17: provenance
    stored = await asyncio.wrap_future(
        http.writer(request).submit(grant, where, action, audit_of, sent)
    )
    gate.written(request, grant.patients)
    if audit_of is not None:
        gate.audit_committed(request)
    if action is not STORE:  # issue 17: amended, corrected, entered-in-error
        return corrections.answer(request, resource, batch, stored.new, action)
    http.notify(request, stored.new)
    device = None if sent.source is None else sent.source.device_id
    rendered = observations.render(batch, services.measures, sent.identifiers, device)
    location = f"{http.base_url(request)}/Observation/{rendered['id']}"
    if stored.new:
        return http.respond(rendered, 201, {"Location": location})
    first = batch[0]
    kept = services.store.observations.fetch(first.patient_id, [r.kind for r in batch], first.ts)
    current = _rendered(services, [kept or list(batch)])[0]
    return http.respond(current, 200, {"Location": location})


async def create(request: Request) -> Response:
    registry.no_conditional_create(request, "Observation")
    resource = await http.resource(request)
    table = http.services(request).measures
    window = http.window(request)
    batch = fast.readings(resource, table, window) or observations.parse(
        resource, table, window, withdrawals=True
    )
    grant = http.grant(request, "fhir.observation.create", batch, "Observation.subject")
    return await _store(request, grant, resource, observations.action(resource))


async def create_questionnaire_response(request: Request) -> Response:
    registry.no_conditional_create(request, "QuestionnaireResponse")
    resource = await http.resource(request)
    services = http.services(request)
    batch = questionnaires.parse(resource, services.measures, http.window(request))
    route = "fhir.questionnaireresponse.create"
    grant = http.grant(request, route, batch, "QuestionnaireResponse.subject")
    return await _store(request, grant, resource)


async def read(request: Request) -> Response:
    text = request.path_params["id"]
    key = ids.parse_observation(text)
    services = http.services(request)
    found = None
    if key is not None:
        found = services.store.observations.fetch(key.patient_id, key.kinds, key.ts)
    if not found:
        raise outcome.Invalid(f"Observation/{text} does not exist", status=404, code="not-found")
    return http.respond(_rendered(services, [found])[0])


def _rendered(services: Any, groups: list[list[reading.Reading]]) -> list[dict[str, Any]]:
    """The Observations of `groups`, each with its sender's identifiers and device (issue 17;
    a panel's are its first component's)."""
    keys = [(g[0].patient_id, g[0].kind, g[0].ts) for g in groups]
    told = services.store.observations.told(keys)
    shown = []
    for key, group in zip(keys, groups, strict=True):
        said = told.get(key)
        if said is None:
            shown.append(observations.render(group, services.measures))
        else:
            found = observations.render(group, services.measures, said.identifiers, said.device_id)
            shown.append(found)
    return shown


async def find(request: Request) -> Response:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    services = http.services(request)
    query = search.query(params, services.measures)
    base = http.base_url(request)
    if query.count == 0:  # count only: the total, no entry (FHIR search, `_count=0`)
        total = await run_in_threadpool(services.store.observations.total, query, services.measures)
        return http.respond(registry.searchset([], base, str(request.url), total=total))

    def run() -> tuple[list[dict[str, Any]], tuple[int, int] | None]:
        groups, next_key = services.store.observations.search(query, services.measures)
        return _rendered(services, groups), next_key

    found, next_key = await run_in_threadpool(run)
    next_url = None
    if next_key is not None:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "_cursor"]
        kept.append(("_cursor", search.cursor_text(next_key)))
        next_url = f"{base}/Observation?{urllib.parse.urlencode(kept)}"
    return http.respond(registry.searchset(found, base, str(request.url), next_url))
