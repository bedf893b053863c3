"""Per-role response projection: what each role's answers may hold (`projection.yaml`).

The permission table decides which routes a role may call; this table decides what their
answers carry for it, in one place and as data. Roles of `full` (the care team and the
administrator) see whole records. For every other role a record keeps only the fields listed for
that role — an allow-list, so a field added to a record later stays hidden until it is listed —
and a record kind not listed for the role is `Hidden` (the edge answers 403). `scopes` says which
rows a scoped role may see at all (the exploitant: rows of its own exploitant).

Pure: documents in, documents out (JSON-like mappings and lists); the web edge applies it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from telesurveillance.domain.access import roles

Role = roles.Role


class ProjectionError(ValueError):
    """The projection table is malformed."""


class Hidden(LookupError):
    """The role may not see this kind of record at all."""


@dataclass(frozen=True, slots=True)
class Field:
    """A field kept: its value whole, or projected as the record kind `record`."""

    name: str
    record: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    full: frozenset[Role]
    records: Mapping[str, Mapping[Role, tuple[Field, ...]]]
    routes: Mapping[str, str]
    scopes: Mapping[Role, str]

    def route(self, name: str | None) -> str | None:
        """The kind of record the route named `name` answers (None: not in the table)."""
        return None if name is None else self.routes.get(name)

    def sees_whole(self, role: Role) -> bool:
        return role in self.full

    def project(self, record: str, role: Role, document: Any) -> Any:
        """`document` (one record, or a list of records, of kind `record`) as `role` may see
        it; `Hidden` when the role sees no record of that kind."""
        if role in self.full:
            return document
        fields = self.records.get(record, {}).get(role)
        if fields is None:
            raise Hidden(f"a {role.value} may not see {record} records")
        if isinstance(document, list):
            return [self._one(fields, role, item) for item in document]
        return self._one(fields, role, document)

    def _one(self, fields: tuple[Field, ...], role: Role, document: Any) -> Any:
        if document is None:
            return None
        if not isinstance(document, Mapping):
            raise TypeError(f"a record is a mapping, not {type(document).__name__}")
        kept: dict[str, Any] = {}
        for field in fields:
            if field.name in document:
                value = document[field.name]
                kept[field.name] = (
                    value if field.record is None else self.project(field.record, role, value)
                )
        return kept

    def in_scope(self, role: Role, own: int | None, row: Mapping[str, Any]) -> bool:
        """May `role`, scoped to `own` (its exploitant id…), see `row` at all?"""
        field = self.scopes.get(role)
        if field is None:
            return True
        return own is not None and row.get(field) == own


def _role(value: Any, where: str) -> Role:
    try:
        return roles.parse(str(value))
    except ValueError as error:
        raise ProjectionError(f"{where}: {error}") from None


def _field(value: Any, where: str) -> Field:
    if isinstance(value, str):
        return Field(value)
    if isinstance(value, dict) and len(value) == 1:
        [(name, record)] = value.items()
        if isinstance(name, str) and isinstance(record, str):
            return Field(name, record)
    raise ProjectionError(f"{where}: a field is a name or {{name: record kind}}, not {value!r}")


def _records(data: Any) -> dict[str, dict[Role, tuple[Field, ...]]]:
    if not isinstance(data, dict):
        raise ProjectionError("'records' must map record kinds to roles")
    out: dict[str, dict[Role, tuple[Field, ...]]] = {}
    for kind, per_role in data.items():
        if not isinstance(per_role, dict) or not per_role:
            raise ProjectionError(f"{kind}: expected a mapping of role to fields")
        out[str(kind)] = {}
        for role, fields in per_role.items():
            where = f"{kind}.{role}"
            if not isinstance(fields, list):
                raise ProjectionError(f"{where}: expected a list of fields")
            out[str(kind)][_role(role, where)] = tuple(_field(f, where) for f in fields)
    return out


def parse(text: str) -> Table:
    data = yaml.safe_load(text)
    keys = {"full", "scopes", "records", "routes"}
    if not isinstance(data, dict) or set(data) != keys:
        raise ProjectionError(f"expected exactly the keys {sorted(keys)}")
    full = frozenset(_role(r, "full") for r in data["full"] or [])
    records = _records(data["records"])
    for kind, per_role in records.items():
        if set(per_role) & full:
            raise ProjectionError(f"{kind}: roles of 'full' see whole records: do not list them")
        for role, fields in per_role.items():
            for field in fields:
                if field.record is not None and role not in records.get(field.record, {}):
                    raise ProjectionError(
                        f"{kind}.{role.value}: {field.name} refers to {field.record!r}, "
                        f"which lists no fields for {role.value}"
                    )
    routes = {str(k): str(v) for k, v in (data["routes"] or {}).items()}
    unknown = sorted(f"{r}: {k}" for r, k in routes.items() if k not in records)
    if unknown:
        raise ProjectionError(f"routes naming unknown record kinds: {unknown}")
    scopes = {_role(r, "scopes"): str(f) for r, f in (data["scopes"] or {}).items()}
    return Table(full, records, routes, scopes)


@functools.cache
def packaged() -> Table:
    """The table shipped with the platform."""
    text = resources.files(__package__).joinpath("projection.yaml").read_text("utf-8")
    return parse(text)
