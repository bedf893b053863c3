"""`PUT /fhir/Observation/{id}` and `DELETE /fhir/Observation/{id}`: corrections as FHIR's
RESTful update and delete (issue 17), through the same parse, judge and write as a correction
POSTed to `/fhir/Observation` (`web/fhir/corrections.py`).

An Observation's id is its reading's key (`p{patient}-k{kind}-t{ts}`, `adapters/fhir/ids.py`):

- PUT parses the body as a create does; the reading it describes must be the one the URL names
  (same patient, kinds and instant — a changed instant or code is another reading: withdraw
  this one and create that one), and a body `id`, when given, must equal the URL's. Status
  `entered-in-error` withdraws the reading (404 when nothing is stored there); any other status
  the profile takes (`final`, `preliminary`, `amended`, `corrected`) writes the value sent at
  that key — an update replaces the resource — and a key not stored yet is stored; 200 with
  the reading as now stored, as a POSTed correction answers.
- DELETE withdraws the reading(s) at the key: 200 with the Observation as it was, status
  `entered-in-error`; 204 when nothing is stored there (FHIR: a delete of what does not exist
  succeeds, so a retry is harmless).

Both are judged as their own routes (`fhir.observation.update`, `fhir.observation.delete`) on the
patient of the readings written: a token scoped to another patient corrects nothing (403).
"""

from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.responses import Response

from telesurveillance.adapters.fhir import ids, observations, outcome
from telesurveillance.domain.measures import reading
from telesurveillance.web.fhir import corrections, http
from telesurveillance.web.security import gate

UPDATE = "fhir.observation.update"
DELETE = "fhir.observation.delete"


def same_key(batch: list[reading.Reading], text: str, key: ids.ObservationKey) -> None:
    """Refuse an update whose readings are not the ones id `text` names (`key`)."""
    first = batch[0]
    kinds = tuple(r.kind for r in batch)
    if (first.patient_id, first.ts) != (key.patient_id, key.ts) or set(kinds) != set(key.kinds):
        named = ids.observation(first.patient_id, kinds, first.ts)
        raise outcome.Invalid(
            f"the Observation sent is {named}, not {text}: a change of patient, code or instant "
            "is another reading (withdraw this one, create that one)",
            "Observation",
            status=400,
            code="business-rule",
        )


def withdrawn(key: ids.ObservationKey) -> list[reading.Reading]:
    """The readings at `key`, as a withdrawal names them (their values are not read)."""
    return [reading.Reading(key.patient_id, kind, key.ts, 0.0) for kind in key.kinds]


def key_of(text: str) -> ids.ObservationKey:
    """The reading key of Observation id `text`; 404 when it is not an id of ours."""
    key = ids.parse_observation(text)
    if key is None:
        raise outcome.Invalid(
            f"Observation/{text} is not an id of this server (p{{patient}}-k{{kind}}-t{{instant}})",
            status=404,
            code="not-found",
        )
    return key


def _key(request: Request) -> tuple[str, ids.ObservationKey]:
    text = str(request.path_params["id"])
    return text, key_of(text)


async def update(request: Request) -> Response:
    text, key = _key(request)
    resource = await http.resource(request)
    given = resource.get("id")
    if given is not None and given != text:
        raise outcome.Invalid(
            f"the resource's id {given!r} differs from the id in the URL {text!r}",
            "Observation.id",
            status=400,
        )
    services = http.services(request)
    batch = observations.parse(resource, services.measures, http.window(request), withdrawals=True)
    same_key(batch, text, key)
    action = observations.action(resource)
    if action is not observations.Action.WITHDRAW:
        action = observations.Action.REPLACE
    grant = http.grant(request, UPDATE, batch, "Observation.subject")
    where = observations.where(resource)
    sent = http.sent(request, resource)  # issue 17: provenance
    stored = await asyncio.wrap_future(http.writer(request).submit(grant, where, action, sent=sent))
    gate.written(request, grant.patients)
    return corrections.answer(request, resource, batch, stored.new, action)


async def delete(request: Request) -> Response:
    _text, key = _key(request)
    batch = withdrawn(key)
    grant = http.grant(request, DELETE, batch, None)
    action = observations.Action.WITHDRAW
    stored = await asyncio.wrap_future(
        http.writer(request).submit(grant, observations.where({}), action)
    )
    gate.written(request, grant.patients)
    if not stored.new:
        return Response(status_code=204)
    services = http.services(request)
    shown = observations.render(stored.new, services.measures)
    shown["status"] = observations.WITHDRAWN
    return http.respond(shown, 200)
