"""`POST /fhir`: a Bundle, batch or transaction.

The body is parsed once (`fhir_entries`). Every entry is judged, for the request's principal,
as the route it stands for (an entry POSTing an Organization needs `fhir.organization.create`,
as `POST /fhir/Organization` does), and the readings of an Observation or QuestionnaireResponse
are judged as parsed, once their references are resolved, against the patient scope: what is
written is what was judged (`domain/access/writes.py`).

A transaction is one database transaction: every entry is checked and written, or none is; an
entry the judge refuses refuses the whole transaction (403, naming the entry). `urn:uuid:`
fullUrls are resolved between entries (a Patient created, then Observations that reference it):
registry resources (Patient, Practitioner, Organization, Device) are created first, in entry
order, then the readings of all Observations and QuestionnaireResponses are written at once. A
batch treats each entry on its own: a refused entry gets its own status (403 when the judge
refuses it) and OperationOutcome, the good ones are written (the readings of all good entries in
one commit).
A registry entry's `request.ifNoneExist` is a conditional create (`web/fhir/registry.py`): one
match creates nothing and answers `200 OK` with its location (a later `urn:uuid:` reference
resolves to it); a reading entry with it is refused (not supported).

The transaction is the store's unit of work (`services.fhir.ports.Store.writing`): the registry
creates and the readings go through the operations it binds to one database transaction, and
take only what the judge authorised.

"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from telesurveillance.adapters.fhir import (
    fast,
    ids,
    observations,
    outcome,
    provenance,
    questionnaires,
    typed_bundle,
)
from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest
from telesurveillance.services.fhir import ports
from telesurveillance.web.fhir import entries as fhir_entries
from telesurveillance.web.fhir import http, registry, updates
from telesurveillance.web.security import gate

T = TypeVar("T")
Entry = fhir_entries.Entry
#: (the response entries, the new readings, the patients whose data were written)
Outcome = tuple[list[dict[str, Any]], list[reading.Reading], set[int]]


def _status(code: int) -> str:
    return {200: "200 OK", 201: "201 Created"}.get(code, str(code))


@dataclasses.dataclass(frozen=True, slots=True)
class _Now:
    """What the checks of one Bundle read from the clock, once."""

    window: instants.Window
    today: dt.date


def _readings(
    entry: Entry,
    resource: dict[str, Any],
    table: measures.Table,
    now: _Now,
    resolve: observations.Resolver,
) -> list[reading.Reading]:
    if entry.condition is not None:
        raise outcome.Invalid(
            registry.refused_condition(resource["resourceType"]),
            "Bundle.entry.request.ifNoneExist",
            status=400,
            code="not-supported",
        )
    if entry.method == "DELETE":
        return updates.withdrawn(updates.key_of(str(entry.target)))
    if entry.method == "PUT":
        target = str(entry.target)
        corrected = observations.parse(resource, table, now.window, resolve, withdrawals=True)
        updates.same_key(corrected, target, updates.key_of(target))
        return corrected
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


def _allowed(judge: writes.Judge, entry: Entry) -> None:
    """403 unless the principal may do what the entry's route does."""
    refused = judge.route(entry.route)
    if refused is not None:
        raise http.forbidden(refused)


def _judged(
    judge: writes.Judge, entry: Entry, patients: Collection[int], value: T
) -> writes.Authorised[T]:
    """`value` (what the entry will write) authorised, or 403 located at the entry."""
    found = judge.grant(entry.route, patients, value)
    if isinstance(found, writes.Refusal):
        field = "patient" if entry.resource_type == "Device" else "subject"
        where = f"{entry.resource_type}.{field}" if found.why is writes.Why.SCOPE else None
        raise http.forbidden(found, where)
    return found


#: A registry entry parsed and judged, with its conditional create (if any).
Creation = tuple[writes.Authorised[registry.Registered], ports.Condition | None]


def _registry(judge: writes.Judge, entry: Entry, now: _Now) -> Creation:
    kind = registry.KINDS[entry.resource_type]
    found = registry.parse(kind, entry.resource, now.today)
    grant = _judged(judge, entry, found.patients, found)
    return grant, registry.condition(kind, entry.condition)


def _create(unit: ports.Unit, creation: Creation) -> tuple[dict[str, Any], bool, set[int]]:
    """Create the judged registry resource in `unit`: (its rendering, whether it is new, the
    patients whose data were written)."""
    grant, condition = creation
    made = unit.create(grant, condition)
    shown = registry.render(made)
    return shown, made.new, registry.written(shown, grant)


def _refusal(
    batch: Sequence[reading.Reading], births: Mapping[int, dt.date], where: ingest.Where
) -> outcome.Invalid | None:
    """Why one entry's readings cannot be written given the patients found, or None."""
    why = ingest.refusal(batch, births, where)
    return None if why is None else outcome.Invalid(why.diagnostics, why.expression, code=why.code)


def _transaction(
    store: ports.Store, judge: writes.Judge, entries: list[Entry], table: measures.Table, now: _Now
) -> Outcome:
    for entry in entries:  # a forbidden entry refuses everything before anything is read
        try:
            _allowed(judge, entry)
        except outcome.Invalid as error:
            raise _located(error, entry.index) from None
    created: dict[str, str] = {}
    answers: list[dict[str, Any]] = [{} for _ in entries]
    written: set[int] = set()

    def resolve(reference: str | None, expression: str) -> int:
        target = created.get(reference or "", reference)
        return observations.patient_reference(target, expression)

    with store.writing() as unit:
        for entry in entries:
            if entry.is_reading:
                continue
            try:
                made, new, patients = _create(unit, _registry(judge, entry, now))
            except outcome.Invalid as error:
                raise _located(error, entry.index) from None
            location = f"{made['resourceType']}/{made['id']}"
            if entry.full_url:
                created[entry.full_url] = location
            written |= patients
            answers[entry.index] = {"status": _status(201 if new else 200), "location": location}
        grants: list[http.Grant] = []
        sents: list[ingest.Sent] = []  # issue 17: provenance, parallel to grants
        senders = provenance.Senders(_source(judge))
        fixes: list[tuple[Entry, http.Grant, ingest.Sent]] = []
        for entry in entries:
            if not entry.is_reading:
                continue
            try:
                resource = _resolved(entry.resource, created)
                found = _readings(entry, resource, table, now, resolve)
                grant = _judged(judge, entry, {r.patient_id for r in found}, found)
                if entry.method != "DELETE":
                    unit.check_patients(found, observations.where(resource))
            except outcome.Invalid as error:
                raise _located(error, entry.index) from None
            try:
                one = senders.sent(resource)
            except outcome.Invalid as error:
                raise _located(error, entry.index) from None
            if entry.action is not observations.Action.STORE:
                fixes.append((entry, grant, one))
                continue
            sents.append(one)
            grants.append(grant)
            answers[entry.index] = {"status": "201 Created", "location": _location(found)}
        stored = unit.write(grants, sents)
        stored_new = list(stored.new)
        for entry, fix, one in fixes:  # corrections after the creates, in entry order
            try:
                done = unit.correct(fix, entry.action, one)
            except outcome.Invalid as error:
                raise _located(error, entry.index) from None
            try:
                answers[entry.index] = _corrected(entry.method, entry.action, fix, done)
            except outcome.Invalid as error:
                raise _located(error, entry.index) from None
            if entry.action is observations.Action.REPLACE:
                stored_new.extend(done.new)
            grants.append(fix)
    written |= {p for grant in grants for p in grant.patients}
    return [{"response": a} for a in answers], stored_new, written


def _named(sent: ingest.Sent) -> int | None:
    """The device a body named (a device token's own device is known and checked already)."""
    source = sent.source
    return None if source is None or source.token_device else source.device_id


def _corrected(
    method: str, action: observations.Action, grant: http.Grant, done: ingest.Stored
) -> dict[str, Any]:
    """The response of a correction entry; 404 for a PUT withdrawing nothing (as
    `PUT /fhir/Observation/{id}`), 204 for a DELETE of nothing (FHIR: a delete succeeds)."""
    location = _location(grant.value)
    if action is observations.Action.WITHDRAW and not done.new:
        if method == "DELETE":
            return {"status": "204 No Content", "location": location}
        raise outcome.Invalid(
            f"nothing is stored at {location}: nothing to withdraw", status=404, code="not-found"
        )
    return {"status": "200 OK", "location": location}


def _resolved(resource: dict[str, Any], created: dict[str, str]) -> dict[str, Any]:
    subject = resource.get("subject")
    if isinstance(subject, dict) and subject.get("reference") in created:
        return {**resource, "subject": {**subject, "reference": created[subject["reference"]]}}
    return resource


@dataclasses.dataclass(frozen=True, slots=True)
class _Judged:
    """A batch entry's readings, judged, waiting for the write: where it names its patient and
    instant, and who sent it (its provenance, built only when the patients are good)."""

    grant: http.Grant
    method: str
    action: observations.Action
    where: ingest.Where
    sent: Callable[[], ingest.Sent]


def _batch(
    store: ports.Store, judge: writes.Judge, entries: list[Entry], table: measures.Table, now: _Now
) -> Outcome:
    answers: list[dict[str, Any]] = [{} for _ in entries]
    parsed: dict[int, _Judged] = {}
    written: set[int] = set()
    senders = provenance.Senders(_source(judge))
    for entry in entries:
        i = entry.index
        try:
            _allowed(judge, entry)
            if entry.is_reading:
                found = _readings(entry, entry.resource, table, now, observations.patient_reference)
                grant = _judged(judge, entry, {r.patient_id for r in found}, found)
                where = ingest.OBSERVATION
                if entry.method != "DELETE":
                    where = observations.where(entry.resource)
                sent = functools.partial(senders.sent, entry.resource)
                parsed[i] = _Judged(grant, entry.method, entry.action, where, sent)
                continue
            creation = _registry(judge, entry, now)
            with store.writing() as unit:
                made, fresh, patients = _create(unit, creation)
            written |= patients
            location = f"{made['resourceType']}/{made['id']}"
            answers[i] = {
                "response": {"status": _status(201 if fresh else 200), "location": location}
            }
        except outcome.Invalid as error:
            answers[i] = _refused(error, i)
    return _batch_write(store, parsed, answers, written)


def _typed_batch(
    store: ports.Store, judge: writes.Judge, read: list[typed_bundle.Read], now: _Now
) -> Outcome:
    """`_batch` of a common batch Bundle decoded typed (`typed_bundle`): every entry POSTs an
    Observation, so the route is judged once, then each entry's patients as `_judged` does."""
    refused = judge.route(OBSERVATION_CREATE)
    if refused is not None:  # every entry is refused alike
        return [_refused(http.forbidden(refused), i) for i in range(len(read))], [], set()
    answers: list[dict[str, Any]] = [{} for _ in read]
    parsed: dict[int, _Judged] = {}
    senders = provenance.Senders(_source(judge))
    store_action = observations.Action.STORE
    for i, one in enumerate(read):
        found = one.readings
        grant = judge.grant(OBSERVATION_CREATE, {r.patient_id for r in found}, found)
        if isinstance(grant, writes.Refusal):
            where = "Observation.subject" if grant.why is writes.Why.SCOPE else None
            answers[i] = _refused(http.forbidden(grant, where), i)
            continue
        sent = functools.partial(senders.of, one.names_device, one.device, one.identifiers)
        parsed[i] = _Judged(grant, "POST", store_action, one.where, sent)
    return _batch_write(store, parsed, answers, set())


#: The route of an entry POSTing an Observation.
OBSERVATION_CREATE = writes.create_route("Observation")


def _source(judge: writes.Judge) -> ingest.Source:
    """The sender of what the request's principal sends (issue 17)."""
    return ingest.source(ingest.SourceKind.FHIR, judge.who)


def _batch_write(
    store: ports.Store,
    parsed: dict[int, _Judged],
    answers: list[dict[str, Any]],
    written: set[int],
) -> Outcome:
    """Write the judged readings of a batch: each entry alone refused when its patients, its
    instant or the device it names cannot be written, the others in one write."""
    refused: dict[int, outcome.Invalid] = {}
    with store.writing() as unit:
        births = unit.births({p for judged in parsed.values() for p in judged.grant.patients})
        for i, judged in parsed.items():
            if judged.method == "DELETE":  # nothing created: no patient to check
                continue
            why = _refusal(judged.grant.value, births, judged.where)
            if why is not None:
                refused[i] = why
        stores = observations.Action.STORE
        good: dict[int, http.Grant] = {}
        sent: dict[int, ingest.Sent] = {}  # issue 17: provenance of each entry's readings
        for i, judged in parsed.items():
            if i in refused or judged.method == "DELETE":
                continue
            try:
                sent[i] = judged.sent()
            except outcome.Invalid as error:
                refused[i] = error
        # a device an entry names must exist and be its patient's: else that entry alone fails
        owners = unit.devices({d for s in sent.values() if (d := _named(s)) is not None})
        for i, one in sent.items():
            if i in refused:
                continue
            device = ingest.device_refusal(_named(one), parsed[i].grant.value, owners, None)
            if device is not None:
                refused[i] = outcome.Invalid(
                    device.diagnostics, device.expression, code=device.code
                )
        for i, judged in parsed.items():
            if i not in refused and judged.action is stores:
                good[i] = judged.grant
        stored = unit.write(list(good.values()), [sent[i] for i in good])
        fixed: dict[int, ingest.Stored] = {}
        for i, judged in parsed.items():  # corrections after the creates, in entry order
            if i not in refused and judged.action is not stores:
                fixed[i] = unit.correct(judged.grant, judged.action, sent.get(i, ingest.UNKNOWN))
    new = set(stored.new)
    replaced: list[reading.Reading] = []
    for i, judged in parsed.items():
        grant = judged.grant
        if i in refused:
            answers[i] = _refused(refused[i], i)
            continue
        if i in fixed:
            try:
                answers[i] = {"response": _corrected(judged.method, judged.action, grant, fixed[i])}
            except outcome.Invalid as error:
                answers[i] = _refused(error, i)
                continue
            if judged.action is observations.Action.REPLACE:
                replaced.extend(fixed[i].new)
            written |= grant.patients
            continue
        rs = grant.value
        status = 201 if any(r in new for r in rs) else 200
        new.difference_update(rs)  # the same reading twice in one batch: the second is a retry
        answers[i] = {"response": {"status": _status(status), "location": _location(rs)}}
        written |= grant.patients
    return answers, [*stored.new, *replaced], written


def _location(rows: Sequence[reading.Reading]) -> str:
    first = rows[0]
    return "Observation/" + ids.observation(first.patient_id, tuple(r.kind for r in rows), first.ts)


def _refused(error: outcome.Invalid, i: int) -> dict[str, Any]:
    located = _located(error, i)
    return {"response": {"status": str(error.status), "outcome": outcome.of(located)}}


async def bundle(request: Request) -> Response:
    http.require_media_type(request, http.JSON_TYPES)
    raw = await http.body(request, http.BUNDLE_LIMIT)
    services = http.services(request)
    now = _Now(http.window(request), http.today(request))
    limit = http.max_depth(request)
    read = typed_bundle.decode(raw, services.measures, now.window, limit)
    if read is not None:  # issue 18: the common batch of device Observations, decoded typed
        kind = "batch"
        answers, new, written = await run_in_threadpool(
            _typed_batch, services.store.fhir, gate.judge(request), read, now
        )
    else:
        kind, entries = fhir_entries.parse(http.parse_json(raw, limit))
        run: Callable[..., Outcome] = _transaction if kind == "transaction" else _batch
        answers, new, written = await run_in_threadpool(
            run, services.store.fhir, gate.judge(request), entries, services.measures, now
        )
    gate.written(request, written)
    http.notify(request, new)
    return http.respond({"resourceType": "Bundle", "type": f"{kind}-response", "entry": answers})
