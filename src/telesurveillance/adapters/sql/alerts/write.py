"""Writing crossings: open an alert, or update the one already open; never a second one.

A crossing is identified by its rule, patient and triggering instant. While an alert of that
rule is open (not closed) for the patient, a new crossing updates it (`last_ts`, `count`,
`implicated`, `last_seen_at`); a crossing already counted (same triggering reading, replayed) or
inside an episode already closed changes nothing. Creating an alert writes its first transition
(None → open), which is what the notification worker sends. Two writers racing to open the same
alert meet the unique `open_key`: the loser's insert does nothing and it updates instead.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.alerts import pending, tables
from telesurveillance.domain.alerts import lifecycle, rules
from telesurveillance.services.alerts import evaluation
from telesurveillance.services.alerts import pending as pending_service

SYSTEM = "system"
#: rows per multi-row INSERT (17 parameters each: under SQLite's 32,766)
_ROWS = 1000
#: implicated readings kept per alert (the most recent ones)
IMPLICATED_CAP = 50

_a = tables.alerts.c


def open_key(patient_id: int, rule_id: str) -> str:
    return f"{patient_id}:{rule_id}"


@dataclass(slots=True)
class _Open:
    id: int
    last_ts: int
    count: int
    implicated: list[tuple[int, int]]
    observed: float | None = None
    message: str = ""
    dirty: bool = False
    seen: set[tuple[int, int]] = field(default_factory=set)


def _insert(conn: sa.Connection) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(tables.alerts)
    return sqlite.insert(tables.alerts)


def _row(f: evaluation.Found, now_ms: int) -> dict[str, Any]:
    c = f.crossing
    return {
        "patient_id": c.patient_id,
        "operateur_id": f.operateur_id,
        "indication": f.rule.indication,
        "rule_id": f.rule.id,
        "rule_kind": f.rule.kind.value,
        "severity": f.rule.severity.value,
        "status": lifecycle.Status.OPEN.value,
        "open_key": open_key(c.patient_id, c.rule_id),
        "first_ts": c.ts,
        "last_ts": c.ts,
        "observed": c.observed,
        "count": 1,
        "implicated": json.dumps([list(i) for i in c.implicated]),
        "message": c.message,
        "opened_at": now_ms,
        "last_seen_at": now_ms,
        "version": 1,
    }


def _created(conn: sa.Connection, alert_ids: Sequence[int], now_ms: int) -> None:
    for start in range(0, len(alert_ids), _ROWS):
        conn.execute(
            sa.insert(tables.alert_transitions).values(
                [
                    {
                        "alert_id": alert_id,
                        "from_status": None,
                        "to_status": lifecycle.Status.OPEN.value,
                        "actor": SYSTEM,
                        "role": SYSTEM,
                        "at": now_ms,
                        "cooperation": False,
                    }
                    for alert_id in alert_ids[start : start + _ROWS]
                ]
            )
        )


def _created_now(conn: sa.Connection, rule_ids: Sequence[str], now_ms: int) -> list[int]:
    """Write the creation transition of the alerts of `rule_ids` opened at `now_ms` that have
    none yet; their ids."""
    t = tables.alert_transitions
    fresh = (
        sa.select(
            _a.id,
            sa.null(),
            sa.literal(lifecycle.Status.OPEN.value, sa.String(16)),
            sa.literal(SYSTEM, sa.String(200)),
            sa.literal(SYSTEM, sa.String(32)),
            sa.literal(now_ms, sa.BigInteger),
            sa.false(),
        )
        .where(_a.status == lifecycle.Status.OPEN.value, _a.opened_at == now_ms)
        .where(_a.rule_id.in_(rule_ids))
        .where(~sa.exists().where(t.c.alert_id == _a.id))
    )
    columns = ["alert_id", "from_status", "to_status", "actor", "role", "at", "cooperation"]
    inserted = conn.execute(t.insert().from_select(columns, fresh).returning(t.c.alert_id))
    return sorted(row[0] for row in inserted)


def _load_open(conn: sa.Connection, keys: Sequence[str]) -> dict[str, _Open]:
    """The open alerts of `keys`, locked until the transaction ends: `_flush` writes the count
    and the implicated readings read here, so two evaluators (threads, or the worker processes
    of `serve --workers`) must not both read the same alert before either writes it — on
    PostgreSQL `FOR UPDATE`, in key order (no deadlock between two writers); SQLite's writer
    already holds the database."""
    found: dict[str, _Open] = {}
    for start in range(0, len(keys), 900):
        rows = conn.execute(
            sa.select(_a.open_key, _a.id, _a.last_ts, _a.count, _a.implicated)
            .where(_a.open_key.in_(keys[start : start + 900]))
            .order_by(_a.open_key)
            .with_for_update()
        )
        for key, alert_id, last_ts, count, implicated in rows:
            pairs = [(int(k), int(t)) for k, t in json.loads(implicated)]
            found[key] = _Open(alert_id, last_ts, count, pairs, seen=set(pairs))
    return found


def _in_closed_episode(conn: sa.Connection, c: rules.Crossing) -> bool:
    hit = conn.execute(
        sa.select(_a.id)
        .where(
            _a.patient_id == c.patient_id,
            _a.rule_id == c.rule_id,
            _a.first_ts <= c.ts,
            _a.last_ts >= c.ts,
        )
        .limit(1)
    ).first()
    return hit is not None


def _merge(alert: _Open, c: rules.Crossing, kind: int) -> bool:
    if (kind, c.ts) in alert.seen:
        return False
    if len(alert.implicated) >= IMPLICATED_CAP and c.ts < alert.implicated[0][1]:
        # Older than every crossing still listed, once the list is full: it was counted and
        # dropped from the list (a span judged again after a crash), not news.
        return False
    for pair in c.implicated:
        if pair not in alert.seen:
            alert.seen.add(pair)
            alert.implicated.append(pair)
    alert.implicated.sort(key=lambda p: p[1])
    alert.count += 1
    if c.ts >= alert.last_ts:
        alert.last_ts, alert.observed, alert.message = c.ts, c.observed, c.message
    alert.dirty = True
    return True


def _flush(conn: sa.Connection, alerts: dict[str, _Open], now_ms: int) -> list[int]:
    updated = []
    for key, alert in alerts.items():
        if not alert.dirty:
            continue
        values: dict[str, Any] = {
            "last_ts": alert.last_ts,
            "count": alert.count,
            "implicated": json.dumps([list(p) for p in alert.implicated[-IMPLICATED_CAP:]]),
            "last_seen_at": now_ms,
            "version": _a.version + 1,
        }
        if alert.message:
            values.update(observed=alert.observed, message=alert.message)
        conn.execute(sa.update(tables.alerts).where(_a.open_key == key).values(**values))
        updated.append(alert.id)
    return updated


def record(
    engine: sa.Engine, found: Sequence[evaluation.Found], now_ms: int
) -> evaluation.Recorded:
    """Open or update alerts for `found`, in one write transaction."""
    return record_settled(engine, found, now_ms, ())[0]


def record_settled(
    engine: sa.Engine,
    found: Sequence[evaluation.Found],
    now_ms: int,
    settled: Sequence[pending_service.Pending],
) -> tuple[evaluation.Recorded, int]:
    """Open or update alerts for `found` and remove the evaluation outbox rows of `settled`
    (compare-and-set on their tokens), in one write transaction: the alerts of a span and the
    removal of its row are committed together or not at all."""
    groups: dict[str, list[evaluation.Found]] = defaultdict(list)
    for f in sorted(found, key=lambda f: f.crossing.ts):
        groups[open_key(f.crossing.patient_id, f.crossing.rule_id)].append(f)
    opened: list[int] = []
    unchanged = 0
    with database.writing(engine) as conn:
        current = _load_open(conn, sorted(groups))
        for key, items in groups.items():
            for f in items:
                c = f.crossing
                kind = f.rule.kind_id or 0
                alert = current.get(key)
                if alert is not None:
                    unchanged += not _merge(alert, c, kind)
                    continue
                if _in_closed_episode(conn, c):
                    unchanged += 1
                    continue
                new_id = conn.execute(
                    _insert(conn).values(**_row(f, now_ms)).on_conflict_do_nothing()
                    .returning(_a.id)
                ).scalar_one_or_none()  # fmt: skip
                if new_id is None:  # another writer opened it first: update theirs
                    current.update(_load_open(conn, [key]))
                    if key in current:
                        unchanged += not _merge(current[key], c, kind)
                    continue
                opened.append(new_id)
                pairs = list(c.implicated)
                current[key] = _Open(new_id, c.ts, 1, pairs, c.observed, c.message, seen=set(pairs))
        updated = [i for i in _flush(conn, current, now_ms) if i not in opened]
        _created(conn, opened, now_ms)
        removed = pending.settle(conn, settled)
    return evaluation.Recorded(tuple(opened), tuple(updated), unchanged), removed


def record_no_data(
    engine: sa.Engine, found: Sequence[evaluation.Found], now_ms: int
) -> evaluation.Recorded:
    """The sweep's crossings in bulk: new episodes inserted, known ones left alone."""
    rule_ids = sorted({f.rule.id for f in found})
    oldest = min(f.crossing.ts for f in found)
    with database.writing(engine) as conn:
        episodes: set[tuple[int, str, int]] = set()
        open_last: dict[tuple[int, str], tuple[int, int]] = {}
        rows = conn.execute(
            sa.select(_a.id, _a.patient_id, _a.rule_id, _a.first_ts, _a.last_ts, _a.open_key)
            .where(_a.rule_id.in_(rule_ids))
            .where(sa.or_(_a.first_ts >= oldest, _a.open_key.is_not(None)))
        )
        for alert_id, patient_id, rule_id, first_ts, last_ts, key in rows:
            episodes.add((patient_id, rule_id, first_ts))
            if key is not None:
                open_last[(patient_id, rule_id)] = (alert_id, last_ts)
        fresh: list[dict[str, Any]] = []
        updated: list[int] = []
        unchanged = 0
        for f in found:
            c = f.crossing
            if (c.patient_id, c.rule_id, c.ts) in episodes:
                unchanged += 1
                continue
            current = open_last.get((c.patient_id, c.rule_id))
            if current is None:
                fresh.append(_row(f, now_ms))
                continue
            alert_id, last_ts = current
            if c.ts <= last_ts:
                unchanged += 1
                continue
            conn.execute(
                sa.update(tables.alerts)
                .where(_a.id == alert_id, _a.open_key.is_not(None))
                .values(
                    last_ts=c.ts, count=_a.count + 1, observed=c.observed, message=c.message,
                    last_seen_at=now_ms, version=_a.version + 1,
                )
            )  # fmt: skip
            updated.append(alert_id)
        opened: list[int] = []
        if fresh:
            # an executemany (compiled once) then one INSERT … SELECT of the creation
            # transitions of the rows this pass opened: no per-row round trip
            conn.execute(_insert(conn).on_conflict_do_nothing(), fresh)
            opened = _created_now(conn, rule_ids, now_ms)
    return evaluation.Recorded(tuple(opened), tuple(updated), unchanged)
