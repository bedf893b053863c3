"""The alert evaluation store: whose rules apply, the window of past readings, the sweep's input,
and the evaluation outbox (`alerts_pending`: what is stored but not yet judged).

Reads only what the rules need: the active prises en charge and overrides of the patients of
one ingested batch; per (patient, kind) the readings of the longest window, through the
`readings` primary key `(patient_id, kind, ts)`; for the sweep, `last_readings` (one row per
patient and kind) joined to the active prises en charge — never a scan of the raw readings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence

import sqlalchemy as sa

from telesurveillance.adapters.sql.alerts import pending as alerts_pending
from telesurveillance.adapters.sql.alerts import tables, write
from telesurveillance.adapters.sql.core import tables as schema
from telesurveillance.domain.alerts import evaluate
from telesurveillance.services.alerts import evaluation
from telesurveillance.services.alerts import pending as pending_service

_IN_CHUNK = 900


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


def _active(day: dt.date) -> sa.ColumnElement[bool]:
    p = schema.prises_en_charge.c
    return sa.and_(p.starts_on <= day, sa.or_(p.stopped_on.is_(None), p.stopped_on > day))


def _before_horizon(conn: sa.Connection, lasts: dict[int, dict[int, int]], horizon_ms: int) -> None:
    """Replace every marker beyond `horizon_ms` (a reading dated in the future) by the last
    reading at or before it, from the primary key (one seek per such marker: they are rare);
    drop it when there is none."""
    r = schema.readings.c
    for patient_id, kinds in lasts.items():
        for kind, ts in list(kinds.items()):
            if ts <= horizon_ms:
                continue
            before = conn.execute(
                sa.select(sa.func.max(r.ts)).where(
                    r.patient_id == patient_id, r.kind == kind, r.ts <= horizon_ms
                )
            ).scalar_one_or_none()
            if before is None:
                del kinds[kind]
            else:
                kinds[kind] = int(before)


class SqlAlerts:
    """`services.alerts.evaluation.Store`, `SweepStore` and
    `services.alerts.evaluation.pending.Store` over
    SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- on ingest ------------------------------------------------------------------------

    def contexts(self, patient_ids: set[int], day: dt.date) -> dict[int, evaluation.Context]:
        p = schema.prises_en_charge.c
        o = tables.alert_overrides.c
        operateurs: dict[int, dict[str, int | None]] = defaultdict(dict)
        starts: dict[int, dict[str, dt.date]] = defaultdict(dict)
        overrides: dict[int, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        with self.engine.connect() as conn:
            for chunk in _chunks(patient_ids):
                rows = conn.execute(
                    sa.select(p.patient_id, p.indication, p.operateur_id, p.starts_on).where(
                        p.patient_id.in_(chunk), _active(day)
                    )
                )
                for patient_id, indication, operateur_id, starts_on in rows:
                    operateurs[patient_id][indication] = operateur_id
                    known = starts[patient_id].get(indication)
                    starts[patient_id][indication] = min(starts_on, known or starts_on)
                for patient_id, rule_id, name, value in conn.execute(
                    sa.select(o.patient_id, o.rule_id, o.field, o.value).where(
                        o.patient_id.in_(chunk)
                    )
                ):
                    overrides[patient_id][rule_id][name] = value
        return {
            pid: evaluation.Context(ops, overrides.get(pid, {}), starts[pid])
            for pid, ops in operateurs.items()
        }

    def histories(
        self, wanted: Sequence[tuple[int, int, int, int]]
    ) -> dict[tuple[int, int], list[evaluate.Point]]:
        """For each `(patient_id, kind, start, end)`, the readings with `start <= ts <= end`,
        oldest first: one query per 500 windows (a VALUES list joined to the primary key)."""
        found: dict[tuple[int, int], list[evaluate.Point]] = defaultdict(list)
        with self.engine.connect() as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = ",".join(
                    [f"(CAST({mark} AS BIGINT),CAST({mark} AS BIGINT),"
                     f"CAST({mark} AS BIGINT),CAST({mark} AS BIGINT))"] * len(chunk)
                )  # fmt: skip
                sql = (
                    f"WITH w(p, k, s, e) AS (VALUES {rows}) "
                    "SELECT r.patient_id, r.kind, r.ts, r.value FROM w JOIN readings r "
                    "ON r.patient_id = w.p AND r.kind = w.k AND r.ts >= w.s AND r.ts <= w.e "
                    "ORDER BY r.patient_id, r.kind, r.ts"
                )
                params = tuple(v for item in chunk for v in item)
                for patient_id, kind, ts, value in conn.exec_driver_sql(sql, params):
                    found[(int(patient_id), int(kind))].append((int(ts), float(value)))
        return dict(found)

    def record(self, found: Sequence[evaluation.Found], now_ms: int) -> evaluation.Recorded:
        return write.record(self.engine, found, now_ms)

    # --- the evaluation outbox ----------------------------------------------------------------

    def pending(
        self,
        keys: Collection[tuple[int, int]] | None = None,
        *,
        after: tuple[int, int] | None = None,
        limit: int = pending_service.PAGE,
        floor_ms: int | None = None,
    ) -> list[pending_service.Span]:
        return alerts_pending.SqlPending(self.engine).pending(
            keys, after=after, limit=limit, floor_ms=floor_ms
        )

    def record_settled(
        self,
        found: Sequence[evaluation.Found],
        now_ms: int,
        settled: Sequence[pending_service.Pending],
    ) -> tuple[evaluation.Recorded, int]:
        return write.record_settled(self.engine, found, now_ms, settled)

    # --- the no-data sweep ----------------------------------------------------------------

    def silent_candidates(
        self, day: dt.date, indications: Sequence[str], horizon_ms: int
    ) -> tuple[dict[int, evaluation.Context], dict[int, dict[int, int]]]:
        p = schema.prises_en_charge.c
        lr = schema.last_readings.c
        o = tables.alert_overrides.c
        operateurs: dict[int, dict[str, int | None]] = defaultdict(dict)
        starts: dict[int, dict[str, dt.date]] = defaultdict(dict)
        lasts: dict[int, dict[int, int]] = defaultdict(dict)
        overrides: dict[int, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        if not indications:
            return {}, {}
        active = (
            sa.select(p.patient_id, p.indication, p.operateur_id, p.starts_on)
            .where(_active(day), p.indication.in_(indications))
            .subquery()
        )
        with self.engine.connect() as conn:
            for patient_id, indication, operateur_id, starts_on in conn.execute(sa.select(active)):
                operateurs[patient_id][indication] = operateur_id
                known = starts[patient_id].get(indication)
                starts[patient_id][indication] = min(starts_on, known or starts_on)
            # last_readings of the active patients only (a join, not a scan of readings)
            patients = sa.select(active.c.patient_id).distinct().subquery()
            for patient_id, kind, ts in conn.execute(
                sa.select(lr.patient_id, lr.kind, lr.ts).join(
                    patients, patients.c.patient_id == lr.patient_id
                )
            ):
                lasts[patient_id][kind] = ts
            _before_horizon(conn, lasts, horizon_ms)
            for patient_id, rule_id, name, value in conn.execute(
                sa.select(o.patient_id, o.rule_id, o.field, o.value)
            ):
                overrides[patient_id][rule_id][name] = value
        contexts = {
            pid: evaluation.Context(ops, overrides.get(pid, {}), starts[pid])
            for pid, ops in operateurs.items()
        }
        return contexts, dict(lasts)

    def record_no_data(self, found: Sequence[evaluation.Found], now_ms: int) -> evaluation.Recorded:
        return write.record_no_data(self.engine, found, now_ms)
