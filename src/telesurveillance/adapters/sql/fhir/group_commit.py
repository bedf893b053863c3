"""Group commit: concurrent single-reading writes share one durable transaction.

A durable commit costs one fsync (about 4 ms on the CI machine's disk), so one commit per
request caps a server at a few hundred requests a second. A `GroupCommit` owns one writer
thread; each request submits its readings and waits; the thread takes every pending request,
checks all their patients in one query, stores all the readings of the requests whose patients
exist with one `readings.store` (same idempotent insert and day counters), commits once, and
only then answers each request with what was new in it — or with its own refusal (unknown
patient), which writes nothing of that request. A 2xx is therefore still sent only after the
commit that holds the request's readings has returned. The audit events of each stored
request (given by the gate for the status it will answer) are inserted in the same transaction
(issue 18): one fsync for the readings and their trace instead of two in a row.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import sqlalchemy as sa

from telesurveillance.adapters.fhir import observations as fhir_observations
from telesurveillance.adapters.fhir import outcome
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import corrections, readings, sources
from telesurveillance.adapters.sql.fhir import observations
from telesurveillance.adapters.sql.security import audit as sql_audit
from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import reading
from telesurveillance.services import ingest
from telesurveillance.services.security import audit

log = logging.getLogger(__name__)

#: Most requests in one transaction (bounds the latency of the last one).
MAX_BATCH = 1024

Action = fhir_observations.Action
AuditOf = Callable[[int], Sequence[audit.Event]] | None
Item = tuple[
    Sequence[reading.Reading],
    ingest.Where,
    Action,
    AuditOf,
    ingest.Sent,
    "Future[readings.Stored]",
]


class GroupCommit:
    def __init__(self, engine: sa.Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(
        self,
        grant: writes.Authorised[Sequence[reading.Reading]],
        where: ingest.Where = ingest.OBSERVATION,
        action: Action = Action.STORE,
        audit_of: AuditOf = None,
        sent: ingest.Sent = ingest.UNKNOWN,
    ) -> Future[readings.Stored]:
        """Store the authorised readings in the next group; the future resolves after its
        commit (`where` locates a refusal in the request's resource). With `action` REPLACE
        (an amended or corrected Observation) the readings replace the values at their keys
        and `new` holds those written (changed or new); with WITHDRAW (entered-in-error) they
        are removed and `new` holds those that were stored (`corrections`). `audit_of` (a STORE
        only) gives the request's audit events for its status, committed with its readings. The
        new readings record `sent` (issue 17): the sender, its identifiers; a device it names
        must exist and be the patient's (and the token's own, for a device token), else the
        request is refused."""
        future: Future[readings.Stored] = Future()
        self._start()
        self._queue.put((grant.value, where, action, audit_of, sent, future))
        return future

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                group.append(item)
            self._commit(group)
            if stop:
                return

    def _commit(self, group: list[Item]) -> None:
        refused: dict[int, outcome.Invalid] = {}
        answers: dict[int, readings.Stored] = {}
        try:
            with database.writing(self.engine) as conn:
                wanted = {r.patient_id for batch, *_rest in group for r in batch}
                births = observations.patients(conn, wanted)
                named = {s.source.device_id for *_r, s, _f in group if s.source is not None}
                owners = sources.device_patients(conn, {d for d in named if d is not None})
                for i, (batch, where, _a, _au, sent, _f) in enumerate(group):
                    error = observations.refusal(batch, births, where) or _device_refusal(
                        batch, sent, owners
                    )
                    if error is not None:
                        refused[i] = error
                good = [
                    (b, s)
                    for i, (b, _w, a, _au, s, _f) in enumerate(group)
                    if i not in refused and a is Action.STORE
                ]
                if all(s.source is None and not s.identifiers for _b, s in good):
                    stored = readings.store(conn, [r for b, _s in good for r in b])
                else:
                    stored = readings.store_sent(conn, good)  # issue 18: one write
                new = set(stored.new)
                trail: list[audit.Event] = []
                for i, (batch, _w, act, audit_of, sent, _f) in enumerate(group):
                    if i in refused:
                        continue
                    if act is not Action.STORE:
                        answers[i] = corrections.apply(conn, batch, act)
                        if act is Action.REPLACE and sent != ingest.UNKNOWN:
                            readings.restamp(conn, batch, sent)
                        continue
                    mine = tuple(r for r in dict.fromkeys(batch) if r in new)
                    new.difference_update(mine)  # the same reading twice: the second is a retry
                    answers[i] = readings.Stored(mine, len(set(batch)) - len(mine))
                    if audit_of is not None:  # 201 when a reading is new, else 200 (a retry)
                        trail.extend(audit_of(201 if mine else 200))
                sql_audit.insert(conn, trail)
        except Exception as error:  # nothing of the group is stored
            log.exception("group commit of %d requests failed", len(group))
            for item in group:
                item[-1].set_exception(error)
            return
        for i, item in enumerate(group):
            if i in refused:
                item[-1].set_exception(refused[i])
            else:
                item[-1].set_result(answers[i])


def _device_refusal(
    batch: Sequence[reading.Reading], sent: ingest.Sent, owners: dict[int, int | None]
) -> outcome.Invalid | None:
    """The refusal of a request whose device is unknown, another patient's, or not its token's.

    The token's own device always exists (tokens are issued for a stored Device); a body's
    `Observation.device` only becomes the source's device when the token names none
    (`ingest.Sent.with_device`), and `provenance` refuses one that differs from the token's.
    """
    source = sent.source
    if source is None or source.device_id is None or source.token_device:
        return None
    why = ingest.device_refusal(source.device_id, batch, owners, None)
    if why is None:
        return None
    return outcome.Invalid(why.diagnostics, why.expression, code=why.code)
