"""Patients, practitioners, organisations (opérateurs, exploitants) and devices: create, read,
update (compare-and-set on `version` where the table has one) and search by a few parameters.

The FHIR mapping (`adapters/fhir/people.py`, `organizations.py`) turns resources into the row
dicts written here; this module only knows tables (one per `services.fhir.ports.Entity`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from telesurveillance.adapters.fhir import ids, outcome
from telesurveillance.adapters.sql.core import tables
from telesurveillance.domain import identity
from telesurveillance.services.fhir import ports

Entity = ports.Entity
PATIENT = Entity.PATIENT
PRACTITIONER = Entity.PRACTITIONER
OPERATEUR = Entity.OPERATEUR
EXPLOITANT = Entity.EXPLOITANT
DEVICE = Entity.DEVICE

#: The table behind each entity.
TABLES: dict[Entity, sa.Table] = {
    PATIENT: tables.patients,
    PRACTITIONER: tables.practitioners,
    OPERATEUR: tables.operateurs,
    EXPLOITANT: tables.exploitants,
    DEVICE: tables.devices,
}
#: The unique identifier columns of each entity's table.
_UNIQUE: dict[Entity, tuple[str, ...]] = {
    PATIENT: ("nir",),
    PRACTITIONER: ("rpps",),
    DEVICE: ("identifier_system", "identifier_value"),
}


def _duplicate(
    conn: sa.Connection, entity: Entity, row: Mapping[str, Any], key: int | None
) -> None:
    unique = _UNIQUE.get(entity, ())
    if not unique or any(row.get(c) is None for c in unique):
        return
    c = TABLES[entity].c
    query = sa.select(c.id).where(*(c[name] == row[name] for name in unique))
    if key is not None:
        query = query.where(c.id != key)
    existing = conn.execute(query).scalar_one_or_none()
    if existing is not None:
        raise outcome.Invalid(
            f"{entity.label}/{existing} already has this identifier",
            f"{entity.label}.identifier",
            status=409,
            code="duplicate",
        )


def create(conn: sa.Connection, entity: Entity, row: Mapping[str, Any]) -> sa.Row[Any]:
    _duplicate(conn, entity, row, None)
    table = TABLES[entity]
    return conn.execute(sa.insert(table).values(**row).returning(table)).one()


def read(conn: sa.Connection, entity: Entity, key: int) -> sa.Row[Any] | None:
    table = TABLES[entity]
    return conn.execute(sa.select(table).where(table.c.id == key)).one_or_none()


def update(
    conn: sa.Connection,
    entity: Entity,
    key: int,
    row: Mapping[str, Any],
    expected_version: int | None = None,
) -> sa.Row[Any]:
    """Replace the row `key` (compare-and-set on its version when `expected_version` is given)."""
    _duplicate(conn, entity, row, key)
    table = TABLES[entity]
    c = table.c
    statement = sa.update(table).where(c.id == key).values(**row)
    if "version" in c:
        statement = statement.values(version=c.version + 1)
        if expected_version is not None:
            statement = statement.where(c.version == expected_version)
    if "updated_at" in c:
        statement = statement.values(updated_at=sa.func.current_timestamp())
    updated = conn.execute(statement.returning(table)).one_or_none()
    if updated is not None:
        return updated
    if read(conn, entity, key) is None:
        raise outcome.Invalid(f"{entity.label}/{key} does not exist", status=404, code="not-found")
    raise outcome.Invalid(
        f"{entity.label}/{key} has changed since version {expected_version}: read it again",
        status=412,
        code="conflict",
    )


def _split(token: str) -> tuple[str | None, str]:
    system, bar, value = token.partition("|")
    return (system or None, value) if bar else (None, token)


def search(
    conn: sa.Connection, entity: Entity, params: Mapping[str, str], count: int
) -> list[sa.Row[Any]]:
    """Rows matching the FHIR search parameters `params` (already split from `_count`)."""
    table = TABLES[entity]
    query = sa.select(table).where(*_where(entity, params)).order_by(table.c.id).limit(count)
    return list(conn.execute(query).all())


def count(conn: sa.Connection, entity: Entity, params: Mapping[str, str]) -> int:
    """How many rows match `params` (the count-only search)."""
    query = sa.select(sa.func.count()).select_from(TABLES[entity]).where(*_where(entity, params))
    return int(conn.execute(query).scalar_one())


#: The escape character of LIKE patterns: a `%` or `_` searched for is a character, never a
#: wildcard (`name=%` must not match every patient).
_ESCAPE = "\\"


def _like(value: str) -> str:
    """`value` as a literal inside a LIKE pattern."""
    return (
        value.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )


def _where(entity: Entity, params: Mapping[str, str]) -> list[sa.ColumnElement[bool]]:
    c = TABLES[entity].c
    where: list[sa.ColumnElement[bool]] = []
    for name, value in params.items():
        if name == "_id":
            where.append(c.id == _key(value))
        elif name == "identifier":
            where.append(_identifier(entity, value))
        elif name in ("family", "name") and "family" in c:
            pattern = _like(value.lower()) + "%"
            fields = [c.family] + ([c.given] if name == "name" else [])
            where.append(sa.or_(*(sa.func.lower(f).like(pattern, escape=_ESCAPE) for f in fields)))
        elif name == "name" and "name" in c:
            pattern = "%" + _like(value.lower()) + "%"
            where.append(sa.func.lower(c.name).like(pattern, escape=_ESCAPE))
        elif name == "birthdate" and entity is PATIENT:
            where.append(c.birth_date == _date(value))
        elif name == "gender" and entity is PATIENT:
            where.append(c.sex == value)
        elif name == "patient" and entity is DEVICE:
            where.append(c.patient_id == _key(value.removeprefix("Patient/")))
        elif name == "status" and entity is DEVICE:
            where.append(c.status == value)
        else:
            raise outcome.Invalid(
                f"search parameter {name!r} is not supported on {entity.label}",
                name,
                status=400,
                code="not-supported",
            )
    return where


def _identifier(entity: Entity, token: str) -> sa.ColumnElement[bool]:
    system, value = _split(token)
    c = TABLES[entity].c
    if entity is PATIENT:
        try:
            value = identity.nir(value)
        except identity.IdentifierError:
            return sa.false()
        return c.nir == value if system is None else sa.and_(c.nir == value, c.nir_system == system)
    if entity is PRACTITIONER:
        return c.rpps == value
    if entity is DEVICE:
        match = c.identifier_value == value
        return match if system is None else sa.and_(match, c.identifier_system == system)
    if entity is OPERATEUR:
        if system == identity.FINESS_SYSTEM:
            return c.finess == value
        if system == identity.SIRET_SYSTEM:
            return c.siret == value
        return sa.or_(c.finess == value, c.siret == value)
    return c.siret == value if system in (None, identity.SIRET_SYSTEM) else sa.false()


def _key(value: str) -> int:
    """The id searched for; -1 (no row) unless plain ASCII digits that fit 64 bits."""
    found = ids.decimal(value)
    return -1 if found is None else found


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.removeprefix("eq"))
    except ValueError:
        raise outcome.Invalid(f"{value!r} is not a date", "birthdate", status=400) from None
