"""Observations over `readings`: durable idempotent writes, read by id, search with keyset paging.

`readings` has no foreign key to `patients` (it would cost an index lookup per row on the bulk
path), so every write first looks its patients up, in the same transaction: they must exist,
and no reading may be dated before its patient's birth (the birth dates come with the same
query, so this costs nothing per reading).
A panel (blood pressure) is read back as one Observation when all its components are stored at
the same instant; its first component leads, the others are joined on the instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.fhir import outcome
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import corrections, readings, sources, tables
from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest
from telesurveillance.services.fhir import ports

r = tables.readings.c


def patients(conn: sa.Connection, patient_ids: set[int]) -> dict[int, dt.date]:
    """The birth date of each of `patient_ids` that exists (one query per 1,000 ids)."""
    found: dict[int, dt.date] = {}
    ordered = sorted(patient_ids)
    p = tables.patients.c
    for start in range(0, len(ordered), 1000):
        part = ordered[start : start + 1000]
        rows = conn.execute(sa.select(p.id, p.birth_date).where(p.id.in_(part)))
        found.update((int(key), born) for key, born in rows)
    return found


def refusal(
    batch: Sequence[reading.Reading], births: Mapping[int, dt.date], where: ingest.Where
) -> outcome.Invalid | None:
    """The refusal of one input whose patients were looked up (`patients`), or None."""
    why = ingest.refusal(batch, births, where)
    return None if why is None else outcome.Invalid(why.diagnostics, why.expression, code=why.code)


def check_patients(
    conn: sa.Connection, batch: Sequence[reading.Reading], where: ingest.Where = ingest.OBSERVATION
) -> None:
    """Refuse `batch` unless its patients exist and were born before its readings."""
    error = refusal(batch, patients(conn, {x.patient_id for x in batch}), where)
    if error is not None:
        raise error


Grant = writes.Authorised[Sequence[reading.Reading]]


def write(
    conn: sa.Connection,
    grants: Sequence[Grant],
    where: ingest.Where = ingest.OBSERVATION,
    sent: Sequence[ingest.Sent] = (),
) -> readings.Stored:
    """Check the patients (and the devices `sent` names: known, the patient's), then store the
    authorised readings with their provenance `sent` (parallel to `grants`; empty: unknown).
    No commit here: the caller's transaction."""
    batch = [r for grant in grants for r in grant.value]
    check_patients(conn, batch, where)
    if not sent:
        return readings.store(conn, batch)
    named = {s.source.device_id for s in sent if s.source is not None}
    owners = sources.device_patients(conn, {d for d in named if d is not None})
    for grant, one in zip(grants, sent, strict=True):
        device = None if one.source is None or one.source.token_device else one.source.device_id
        why = ingest.device_refusal(device, grant.value, owners, None)
        if why is not None:
            raise outcome.Invalid(why.diagnostics, why.expression, code=why.code)
    return readings.store_sent(conn, list(zip((g.value for g in grants), sent, strict=True)))


@dataclass(frozen=True)
class SqlStore:
    """The `services.ingest.Store` port over an engine (one transaction per chunk)."""

    engine: sa.Engine

    def patients(self, patient_ids: set[int]) -> dict[int, dt.date]:
        with self.engine.connect() as conn:
            return patients(conn, patient_ids)

    def devices(self, device_ids: set[int]) -> dict[int, int | None]:
        with self.engine.connect() as conn:
            return sources.device_patients(conn, device_ids)

    def write(
        self, batch: Sequence[Grant], sent: Sequence[ingest.Sent] = ()
    ) -> Sequence[reading.Reading]:
        with database.writing(self.engine) as conn:
            if not sent:
                return readings.store(conn, [r for grant in batch for r in grant.value]).new
            groups = [(grant.value, one) for grant, one in zip(batch, sent, strict=True)]
            return readings.store_sent(conn, groups).new

    def correct(
        self, batch: Sequence[tuple[Grant, ingest.Action, ingest.Sent]]
    ) -> list[tuple[reading.Reading, ...]]:
        """Corrections in one durable transaction, in order (`ingest.Correct`); a replaced
        value records the provenance of its replacement."""
        with database.writing(self.engine) as conn:
            return [correct_one(conn, grant, action, sent).new for grant, action, sent in batch]


def correct_one(
    conn: sa.Connection, grant: Grant, action: ingest.Action, sent: ingest.Sent = ingest.UNKNOWN
) -> readings.Stored:
    """One correction (`corrections.apply`); with REPLACE, the values written take `sent` as
    their provenance (its device checked as `write` checks it). No commit here."""
    if action is not ingest.Action.REPLACE or sent == ingest.UNKNOWN:
        return corrections.apply(conn, grant.value, action)
    source = sent.source
    device = None if source is None or source.token_device else source.device_id
    if device is not None:
        owners = sources.device_patients(conn, {device})
        why = ingest.device_refusal(device, grant.value, owners, None)
        if why is not None:
            raise outcome.Invalid(why.diagnostics, why.expression, code=why.code)
    done = corrections.apply(conn, grant.value, action)
    readings.restamp(conn, grant.value, sent)
    return done


# --- Reading back -----------------------------------------------------------------------------


def fetch(
    conn: sa.Connection, patient_id: int, kinds: Sequence[int], ts: int
) -> list[reading.Reading] | None:
    """The readings behind an Observation id, or None when any is missing."""
    rows = conn.execute(
        sa.select(r.kind, r.value).where(r.patient_id == patient_id, r.kind.in_(kinds), r.ts == ts)
    ).all()
    values = dict(rows)
    if set(values) != set(kinds):
        return None
    return [reading.Reading(patient_id, k, ts, float(values[k])) for k in kinds]


Query = ports.Query


def told(conn: sa.Connection, keys: Sequence[ports.Key]) -> dict[ports.Key, ports.Told]:
    """The provenance of the readings at `keys` (identifiers, the sender's device) that have
    some: two queries per patient of `keys`, whatever their number."""
    by_patient: dict[int, list[tuple[int, int]]] = {}
    for patient_id, kind, ts in keys:
        by_patient.setdefault(patient_id, []).append((kind, ts))
    named: dict[ports.Key, list[ingest.Identifier]] = {}
    source_of: dict[ports.Key, int] = {}
    i = tables.reading_identifiers.c
    for patient_id, pairs in by_patient.items():
        for start in range(0, len(pairs), 500):
            part = pairs[start : start + 500]
            rows = conn.execute(
                sa.select(i.kind, i.ts, i.system, i.value)
                .where(i.patient_id == patient_id, sa.tuple_(i.kind, i.ts).in_(part))
                .order_by(i.kind, i.ts, i.n)
            )
            for kind, ts, system, value in rows:
                named.setdefault((patient_id, int(kind), int(ts)), []).append((system, value))
            stamped = conn.execute(
                sa.select(r.kind, r.ts, r.source_id).where(
                    r.patient_id == patient_id,
                    r.source_id.is_not(None),
                    sa.tuple_(r.kind, r.ts).in_(part),
                )
            )
            for kind, ts, source_id in stamped:
                source_of[(patient_id, int(kind), int(ts))] = int(source_id)
    senders = sources.known(conn, set(source_of.values()))
    found: dict[ports.Key, ports.Told] = {}
    for key in {*named, *source_of}:
        sender = senders.get(source_of[key]) if key in source_of else None
        device = None if sender is None else sender.device_id
        if key in named or device is not None:
            found[key] = ports.Told(tuple(named.get(key, ())), device)
    return found


def _statement(query: Query, table: measures.Table) -> tuple[Any, list[tuple[int, list[int]]]]:
    """The Observations of `query` (ordered by kind and instant, no limit) and the panels it
    groups: (leader kind, follower kinds)."""
    base = tables.readings.alias("base")
    b = base.c
    conditions = [b.patient_id == query.patient_id]
    if query.kinds is not None:
        conditions.append(b.kind.in_(query.kinds))
    if query.since is not None:
        conditions.append(b.ts >= query.since)
    if query.until is not None:
        conditions.append(b.ts < query.until)
    if query.after is not None:
        conditions.append(sa.tuple_(b.kind, b.ts) > sa.tuple_(*query.after))
    columns: list[sa.ColumnElement[object]] = [b.kind, b.ts, b.value]
    joins: sa.FromClause = base
    panel_joins: list[tuple[int, list[int]]] = []
    if query.panels:
        for panel in table.panels:
            kinds = [_kind_id(table, c) for c in panel.components]
            panel_joins.append((kinds[0], kinds[1:]))
            for other in kinds[1:]:
                # A follower component is shown inside its panel when the leader exists.
                leader = tables.readings.alias(f"lead{other}")
                conditions.append(
                    sa.or_(
                        b.kind != other,
                        ~sa.exists().where(
                            leader.c.patient_id == b.patient_id,
                            leader.c.kind == kinds[0],
                            leader.c.ts == b.ts,
                        ),
                    )
                )
                follower = tables.readings.alias(f"follow{other}")
                joins = joins.outerjoin(
                    follower,
                    sa.and_(
                        b.kind == kinds[0],
                        follower.c.patient_id == b.patient_id,
                        follower.c.kind == other,
                        follower.c.ts == b.ts,
                    ),
                )
                columns.append(follower.c.value.label(f"v{other}"))
    statement = sa.select(*columns).select_from(joins).where(*conditions).order_by(b.kind, b.ts)
    return statement, panel_joins


def total(conn: sa.Connection, query: Query, table: measures.Table) -> int:
    """How many Observations `query` finds (a panel counts once): the count-only search."""
    found = _statement(query, table)[0].order_by(None).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(found)).scalar_one())


def search(
    conn: sa.Connection, query: Query, table: measures.Table
) -> tuple[list[list[reading.Reading]], tuple[int, int] | None]:
    """A page of Observations (each a list of readings) and the keyset of the next page."""
    statement, panel_joins = _statement(query, table)
    rows = conn.execute(statement.limit(query.count + 1)).all()
    more = len(rows) > query.count
    rows = rows[: query.count]
    found: list[list[reading.Reading]] = []
    for row in rows:
        kind, ts, value = int(row.kind), int(row.ts), float(row.value)
        group = [reading.Reading(query.patient_id, kind, ts, value)]
        for lead, others in panel_joins:
            if kind == lead:
                extra = [(o, row._mapping[f"v{o}"]) for o in others]
                if all(v is not None for _, v in extra):
                    group += [reading.Reading(query.patient_id, o, ts, float(v)) for o, v in extra]
        found.append(group)
    next_key = (int(rows[-1].kind), int(rows[-1].ts)) if more and rows else None
    return found, next_key


@dataclass(frozen=True)
class SqlObservations:
    """The `services.fhir.ports.Observations` read model over an engine (each call on its
    own connection)."""

    engine: sa.Engine

    def fetch(self, patient_id: int, kinds: Sequence[int], ts: int) -> list[reading.Reading] | None:
        with self.engine.connect() as conn:
            return fetch(conn, patient_id, kinds, ts)

    def search(
        self, query: Query, table: measures.Table
    ) -> tuple[list[list[reading.Reading]], tuple[int, int] | None]:
        with self.engine.connect() as conn:
            return search(conn, query, table)

    def total(self, query: Query, table: measures.Table) -> int:
        with self.engine.connect() as conn:
            return total(conn, query, table)

    def told(self, keys: Sequence[ports.Key]) -> dict[ports.Key, ports.Told]:
        if not keys:
            return {}
        with self.engine.connect() as conn:
            return told(conn, keys)


def _kind_id(table: measures.Table, loinc: str) -> int:
    kind = table.by_loinc(loinc)
    assert kind is not None
    return kind.id
