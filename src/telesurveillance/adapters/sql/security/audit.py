"""`services.security.audit.Log` over the SQL store: insert-only (the table refuses UPDATE and
DELETE)."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.security import tables
from telesurveillance.services.security import audit


def _row(event: audit.Event) -> dict[str, object]:
    return {
        "recorded_at": event.recorded_at.astimezone(dt.UTC),
        "actor": event.actor[:64],
        "actor_name": event.actor_name[:200],
        "role": event.role,
        "route": event.route[:200],
        "action": event.action,
        "method": event.method[:8],
        "path": event.path[:2000],
        "patient_id": event.patient_id,
        "source": event.source[:64],
        "status": event.status,
        "request_id": event.request_id,
    }


def insert(conn: sa.Connection, events: Sequence[audit.Event]) -> None:
    """Append `events` in the caller's transaction (issue 18: with the data they trace)."""
    if events:
        conn.execute(sa.insert(tables.audit_events), [_row(e) for e in events])


class SqlAuditLog:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def append(self, event: audit.Event) -> int:
        with database.writing(self.engine) as conn:
            return int(
                conn.execute(
                    sa.insert(tables.audit_events)
                    .values(_row(event))
                    .returning(tables.audit_events.c.id)
                ).scalar_one()
            )

    def events(
        self, *, patient_id: int | None = None, limit: int = 100, before_id: int | None = None
    ) -> Sequence[audit.Event]:
        c = tables.audit_events.c
        query = sa.select(tables.audit_events).order_by(c.id.desc()).limit(limit)
        if patient_id is not None:
            query = query.where(c.patient_id == patient_id)
        if before_id is not None:
            query = query.where(c.id < before_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            audit.Event(
                recorded_at=_utc(r.recorded_at),
                actor=r.actor,
                actor_name=r.actor_name,
                role=r.role,
                route=r.route,
                action=r.action,
                method=r.method,
                path=r.path,
                patient_id=r.patient_id,
                source=r.source,
                status=r.status,
                request_id=r.request_id,
                id=r.id,
            )
            for r in rows
        ]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


Item = tuple[audit.Event, "Future[None]"]


class GroupedAuditLog:
    """Group commit of audit events: the events of concurrent requests share one durable
    transaction (one fsync), written by one thread. `append` returns only after the commit that
    holds its event, so a response still leaves after its audit event is on disk."""

    def __init__(self, engine: sa.Engine, max_batch: int = 1024) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def append(self, event: audit.Event) -> None:
        self.append_all([event])

    def append_all(self, events: Sequence[audit.Event]) -> None:
        """Append `events` (those of one request); returns once all are committed."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="audit", daemon=True)
                self._thread.start()
        futures: list[Future[None]] = []
        for event in events:
            future: Future[None] = Future()
            self._queue.put((event, future))
            futures.append(future)
        for future in futures:
            future.result()

    def _loop(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < self.max_batch:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                with database.writing(self.engine) as conn:
                    insert(conn, [e for e, _f in group])
            except Exception as error:  # nothing of the group is stored: every caller fails
                for _event, future in group:
                    future.set_exception(error)
                continue
            for _event, future in group:
                future.set_result(None)
