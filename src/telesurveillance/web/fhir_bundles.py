"""`POST /fhir` (Bundle batch / transaction) and `POST /fhir/$import` (NDJSON, streamed).

A transaction is one database transaction: every entry is checked and written, or none is.
`urn:uuid:` fullUrls are resolved between entries (a Patient created, then Observations that
reference it): registry resources (Patient, Practitioner, Organization, Device) are created
first, in entry order, then the readings of all Observations and QuestionnaireResponses are
written at once. A batch treats each entry on its own: a refused entry gets its own status and
OperationOutcome, the good ones are written (the readings of all good entries in one commit).
A registry entry's `request.ifNoneExist` is a conditional create (`fhir_registry`): one match
creates nothing and answers `200 OK` with its location (a later `urn:uuid:` reference resolves
to it); a reading entry with it is refused (not supported).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from telesurveillance.adapters.fhir import bulk, fast, ids, observations, outcome, questionnaires
from telesurveillance.adapters.sql import database, fhir_observations
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest
from telesurveillance.web import fhir_http, fhir_registry

READING_TYPES = ("Observation", "QuestionnaireResponse")
IMPORT_BLOCK = 20_000


def _status(code: int) -> str:
    return {200: "200 OK", 201: "201 Created"}.get(code, str(code))


def _entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    entries = bundle.get("entry", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise outcome.Invalid("Bundle.entry must be a list of entries", "Bundle.entry")
    for i, entry in enumerate(entries):
        method = (entry.get("request") or {}).get("method")
        rtype = (entry.get("resource") or {}).get("resourceType")
        if method != "POST" or (rtype not in READING_TYPES and rtype not in fhir_registry.KINDS):
            raise outcome.Invalid(
                "only POST of Patient, Practitioner, Organization, Device, Observation and "
                "QuestionnaireResponse entries is supported",
                f"Bundle.entry[{i}].request",
                code="not-supported",
            )
    return entries


@dataclasses.dataclass(frozen=True, slots=True)
class _Now:
    """What the checks of one Bundle read from the clock, once."""

    window: instants.Window
    today: dt.date


def _condition(entry: dict[str, Any]) -> str | None:
    request = entry.get("request")
    condition = request.get("ifNoneExist") if isinstance(request, dict) else None
    if condition is not None and not isinstance(condition, str):
        raise outcome.Invalid("ifNoneExist must be a string", "Bundle.entry.request.ifNoneExist")
    return condition


def _readings(
    entry: dict[str, Any],
    resource: dict[str, Any],
    table: measures.Table,
    now: _Now,
    resolve: observations.Resolver,
) -> list[reading.Reading]:
    if _condition(entry) is not None:
        raise outcome.Invalid(
            fhir_registry.refused_condition(resource["resourceType"]),
            "Bundle.entry.request.ifNoneExist",
            status=400,
            code="not-supported",
        )
    found = fast.readings(resource, table, now.window)
    if found is not None:
        return found
    if resource["resourceType"] == "QuestionnaireResponse":
        return questionnaires.parse(resource, table, now.window, resolve)
    return observations.parse(resource, table, now.window, resolve)


def _located(error: outcome.Invalid, i: int) -> outcome.Invalid:
    where = f"Bundle.entry[{i}].resource"
    if error.expression and error.expression.startswith("Bundle.entry."):
        where = f"Bundle.entry[{i}]" + error.expression.removeprefix("Bundle.entry")
    elif error.expression and "." in error.expression:
        where += error.expression[error.expression.index(".") :]
    return outcome.Invalid(error.diagnostics, where, status=error.status, code=error.code)


def _transaction(
    engine: sa.Engine, entries: list[dict[str, Any]], table: measures.Table, now: _Now
) -> tuple[list[dict[str, Any]], list[reading.Reading]]:
    created: dict[str, str] = {}
    answers: list[dict[str, Any]] = [{} for _ in entries]

    def resolve(reference: str | None, expression: str) -> int:
        target = created.get(reference or "", reference)
        return observations.patient_reference(target, expression)

    with database.writing(engine) as conn:
        for i, entry in enumerate(entries):
            resource = entry["resource"]
            if resource["resourceType"] in READING_TYPES:
                continue
            try:
                kind = fhir_registry.KINDS[resource["resourceType"]]
                made, new = fhir_registry.create_in(
                    conn, kind, resource, now.today, _condition(entry)
                )
            except outcome.Invalid as error:
                raise _located(error, i) from None
            location = f"{made['resourceType']}/{made['id']}"
            if entry.get("fullUrl"):
                created[entry["fullUrl"]] = location
            answers[i] = {"status": _status(201 if new else 200), "location": location}
        batch: list[reading.Reading] = []
        for i, entry in enumerate(entries):
            resource = entry["resource"]
            if resource["resourceType"] not in READING_TYPES:
                continue
            try:
                found = _readings(entry, _resolved(resource, created), table, now, resolve)
                fhir_observations.check_patients(conn, found, observations.where(resource))
            except outcome.Invalid as error:
                raise _located(error, i) from None
            batch += found
            answers[i] = {
                "status": "201 Created",
                "location": _location(found),
            }
        stored = fhir_observations.write(conn, batch)
    return [{"response": a} for a in answers], list(stored.new)


def _resolved(resource: dict[str, Any], created: dict[str, str]) -> dict[str, Any]:
    subject = resource.get("subject")
    if isinstance(subject, dict) and subject.get("reference") in created:
        return {**resource, "subject": {**subject, "reference": created[subject["reference"]]}}
    return resource


def _batch(
    engine: sa.Engine, entries: list[dict[str, Any]], table: measures.Table, now: _Now
) -> tuple[list[dict[str, Any]], list[reading.Reading]]:
    answers: list[dict[str, Any]] = [{} for _ in entries]
    parsed: dict[int, list[reading.Reading]] = {}
    for i, entry in enumerate(entries):
        resource = entry["resource"]
        try:
            if resource["resourceType"] in READING_TYPES:
                parsed[i] = _readings(entry, resource, table, now, observations.patient_reference)
                continue
            with database.writing(engine) as conn:
                kind = fhir_registry.KINDS[resource["resourceType"]]
                made, fresh = fhir_registry.create_in(
                    conn, kind, resource, now.today, _condition(entry)
                )
            answers[i] = {
                "response": {
                    "status": _status(201 if fresh else 200),
                    "location": f"{made['resourceType']}/{made['id']}",
                }
            }
        except outcome.Invalid as error:
            answers[i] = _refused(error, i)
    refused: dict[int, outcome.Invalid] = {}
    with database.writing(engine) as conn:
        births = fhir_observations.patients(
            conn, {r.patient_id for rs in parsed.values() for r in rs}
        )
        for i, rs in parsed.items():
            where = observations.where(entries[i]["resource"])
            why = fhir_observations.refusal(rs, births, where)
            if why is not None:
                refused[i] = why
        good = {i: rs for i, rs in parsed.items() if i not in refused}
        stored = fhir_observations.write(conn, [r for rs in good.values() for r in rs])
    new = set(stored.new)
    for i, rs in parsed.items():
        if i in refused:
            answers[i] = _refused(refused[i], i)
            continue
        status = 201 if any(r in new for r in rs) else 200
        new.difference_update(rs)  # the same reading twice in one batch: the second is a retry
        answers[i] = {
            "response": {
                "status": _status(status),
                "location": _location(rs),
            }
        }
    return answers, list(stored.new)


def _location(rows: list[reading.Reading]) -> str:
    first = rows[0]
    return "Observation/" + ids.observation(first.patient_id, tuple(r.kind for r in rows), first.ts)


def _refused(error: outcome.Invalid, i: int) -> dict[str, Any]:
    located = _located(error, i)
    return {"response": {"status": str(error.status), "outcome": outcome.of(located)}}


async def bundle(request: Request) -> Response:
    document = fhir_http.parse_json(await fhir_http.body(request, fhir_http.BUNDLE_LIMIT))
    if document.get("resourceType") != "Bundle":
        raise outcome.Invalid(
            f"POST /fhir takes a Bundle, not {document.get('resourceType')!r}",
            "resourceType",
            code="not-supported",
        )
    kind = document.get("type")
    if kind not in ("batch", "transaction"):
        raise outcome.Invalid(
            f"Bundle.type {kind!r}: only batch and transaction are processed",
            "Bundle.type",
            code="not-supported",
        )
    entries = _entries(document)
    services = fhir_http.services(request)
    now = _Now(fhir_http.window(request), fhir_http.today(request))
    run: Callable[..., tuple[list[dict[str, Any]], list[reading.Reading]]]
    run = _transaction if kind == "transaction" else _batch
    answers, new = await run_in_threadpool(run, services.engine, entries, services.measures, now)
    fhir_http.notify(request, new)
    return fhir_http.respond(
        {"resourceType": "Bundle", "type": f"{kind}-response", "entry": answers}
    )


async def import_ndjson(request: Request) -> Response:
    """Stream NDJSON lines in blocks; each block is parsed, checked and committed in chunks."""
    services = fhir_http.services(request)
    store = fhir_observations.SqlStore(services.engine)
    total = ingest.Report()
    block: list[bytes] = []
    offset = 0
    rest = b""

    async def flush(lines: list[bytes], first: int) -> None:
        parsed = (
            dataclasses.replace(
                p,
                line=p.line + first,
                rejected=None
                if p.rejected is None
                else dataclasses.replace(p.rejected, line=p.rejected.line + first),
            )
            for p in bulk.ndjson(lines, services.measures, fhir_http.window(request))
        )
        report = await run_in_threadpool(
            lambda: ingest.bulk(
                parsed,
                store,
                table=services.measures,
                after_write=lambda new: fhir_http.notify(request, new),
            )
        )
        total.accepted += report.accepted
        total.duplicates += report.duplicates
        total.rejected += report.rejected
        total.readings += report.readings
        total.seconds += report.seconds

    async for chunk in request.stream():
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        block += lines
        if len(block) >= IMPORT_BLOCK:
            await flush(block, offset)
            offset += len(block)
            block = []
    if rest:
        block.append(rest)
    await flush(block, offset)
    return fhir_http.respond(report_outcome(total))


def report_outcome(report: ingest.Report, listed: int = 1000) -> dict[str, Any]:
    summary = (
        f"accepted {report.accepted}, duplicates {report.duplicates}, "
        f"rejected {len(report.rejected)} ({report.readings} new readings)"
    )
    issues = [outcome.issue(summary, code="informational", severity="information")]
    issues += [
        outcome.issue(f"line {r.line}: {r.diagnostics}", r.expression, code=r.code)
        for r in report.rejected[:listed]
    ]
    return outcome.outcome(issues)
