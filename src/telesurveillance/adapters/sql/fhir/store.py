"""The `services.fhir.ports.Store` port over an engine: the registry's reads and writes, and
the unit of work of a transaction Bundle (registry creates and readings in one transaction).

A conditional create (`If-None-Exist`) looks for a match and creates in the same write
transaction; on PostgreSQL it first takes a transaction-level advisory lock on the resource
type, so two concurrent creates with the same condition cannot both find nothing and both
create (SQLite's writer is already alone: BEGIN IMMEDIATE). Rows that name another row
(a Patient's managing organisation, a Device's patient) are checked first: the foreign keys
would refuse an unknown one with an IntegrityError (a 500).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.fhir import ids, outcome
from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import sources
from telesurveillance.adapters.sql.fhir import observations, registry
from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import reading
from telesurveillance.services import ingest
from telesurveillance.services.fhir import ports

Entity = ports.Entity

#: Rows that name another row, per entity: (column, the entity it names, the element that says
#: it).
_REFERENCES: dict[Entity, tuple[tuple[str, Entity, str], ...]] = {
    Entity.PATIENT: (("operateur_id", Entity.OPERATEUR, "Patient.managingOrganization"),),
    Entity.DEVICE: (("patient_id", Entity.PATIENT, "Device.patient"),),
}


def _find(
    conn: sa.Connection, entities: Sequence[Entity], params: Mapping[str, str], count: int
) -> list[tuple[Entity, ports.Row]]:
    found: list[tuple[Entity, ports.Row]] = []
    for entity in entities:
        found += [(entity, row) for row in registry.search(conn, entity, params, count)]
    return found[:count]


def _total(conn: sa.Connection, entities: Sequence[Entity], params: Mapping[str, str]) -> int:
    return sum(registry.count(conn, e, params) for e in entities)


def _check_references(conn: sa.Connection, entity: Entity, row: Mapping[str, Any]) -> None:
    for column, target, where in _REFERENCES.get(entity, ()):
        key = row.get(column)
        if key is not None and registry.read(conn, target, key) is None:
            shown = ids.organization_id("operateur", key) if target is Entity.OPERATEUR else key
            raise outcome.Invalid(
                f"unknown {target.label} {target.label}/{shown}: create it first",
                where,
                code="not-found",
            )


class _Unit:
    """The operations of one write transaction, bound to its connection."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def read(self, entity: Entity, key: int) -> ports.Row | None:
        return registry.read(self.conn, entity, key)

    def find(
        self, entities: Sequence[Entity], params: Mapping[str, str], count: int
    ) -> list[tuple[Entity, ports.Row]]:
        return _find(self.conn, entities, params, count)

    def total(self, entities: Sequence[Entity], params: Mapping[str, str]) -> int:
        return _total(self.conn, entities, params)

    def create(
        self, grant: writes.Authorised[ports.Registered], condition: ports.Condition | None
    ) -> ports.Made:
        found = grant.value
        if condition is not None:
            existing = self._conditional(found.resource_type, condition)
            if existing is not None:
                entity, row = existing
                return ports.Made(entity, row, False)
        _check_references(self.conn, found.entity, found.row)
        return ports.Made(found.entity, registry.create(self.conn, found.entity, found.row), True)

    def _conditional(
        self, resource_type: str, condition: ports.Condition
    ) -> tuple[Entity, ports.Row] | None:
        """The one row meeting `condition`, None when there is none; 412 when several."""
        if self.conn.dialect.name == "postgresql":
            key = zlib.crc32(resource_type.encode())
            self.conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
        found = _find(self.conn, condition.entities, condition.params, 2)
        if len(found) > 1:
            raise outcome.Invalid(
                f"If-None-Exist {condition.text!r} matches several {resource_type} resources: "
                "make the condition selective",
                status=412,
                code="duplicate",
            )
        return found[0] if found else None

    def update(
        self, entity: Entity, key: int, row: Mapping[str, Any], expected_version: int | None
    ) -> ports.Row:
        _check_references(self.conn, entity, row)
        return registry.update(self.conn, entity, key, row, expected_version)

    def births(self, patient_ids: set[int]) -> Mapping[int, dt.date]:
        return observations.patients(self.conn, patient_ids)

    def check_patients(self, batch: Sequence[reading.Reading], where: ingest.Where) -> None:
        observations.check_patients(self.conn, batch, where)

    def devices(self, device_ids: set[int]) -> Mapping[int, int | None]:
        return sources.device_patients(self.conn, device_ids)

    def write(
        self, grants: Sequence[ports.Grant], sent: Sequence[ingest.Sent] = ()
    ) -> ingest.Stored:
        return observations.write(self.conn, grants, sent=sent)

    def correct(
        self, grant: ports.Grant, action: ingest.Action, sent: ingest.Sent = ingest.UNKNOWN
    ) -> ingest.Stored:
        return observations.correct_one(self.conn, grant, action, sent)


class SqlRegistry:
    """The registry over an engine: reads on their own connection, writes in their own
    transaction, `writing()` for several in one."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @contextlib.contextmanager
    def writing(self) -> Iterator[_Unit]:
        with database.writing(self.engine) as conn:
            yield _Unit(conn)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[_Unit]:
        with self.engine.connect() as conn:
            yield _Unit(conn)

    def read(self, entity: Entity, key: int) -> ports.Row | None:
        with self._reading() as unit:
            return unit.read(entity, key)

    def find(
        self, entities: Sequence[Entity], params: Mapping[str, str], count: int
    ) -> list[tuple[Entity, ports.Row]]:
        with self._reading() as unit:
            return unit.find(entities, params, count)

    def total(self, entities: Sequence[Entity], params: Mapping[str, str]) -> int:
        with self._reading() as unit:
            return unit.total(entities, params)

    def create(
        self, grant: writes.Authorised[ports.Registered], condition: ports.Condition | None = None
    ) -> ports.Made:
        with self.writing() as unit:
            return unit.create(grant, condition)

    def update(
        self, entity: Entity, key: int, row: Mapping[str, Any], expected_version: int | None
    ) -> ports.Row:
        with self.writing() as unit:
            return unit.update(entity, key, row, expected_version)
