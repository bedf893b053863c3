"""Strict loader for the regulatory YAML files.

One file per parameter; its path under `data/` is its name. A file holds a title, the declared
type, the day it was last reviewed and its values keyed by the day they take effect. Every value
carries at least one citation; `null` ends the previous value. The loader refuses, with the file
and the key in the message: unknown or missing keys, duplicate keys, a type that differs from the
catalogue, floats where money or decimals are expected, uncited values, malformed identifiers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any

import yaml

from telesurveillance.domain.regulation import citation, records, timeline

MONEY = re.compile(r"^\d+\.\d{2}$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
TOP_KEYS = {"title", "type", "reviewed_on", "values"}
OPTIONAL_TOP_KEYS = {"description"}
ENTRY_KEYS = {"value", "cite"}
OPTIONAL_ENTRY_KEYS = {"note"}
CITE_KEYS = {"title", "status"}
OPTIONAL_CITE_KEYS = {"ref", "url", "seed", "quote"}


class RegulationError(ValueError):
    """A regulatory data file is not acceptable; the message names the file and the key."""


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise RegulationError(f"duplicate key {key!r} (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def parse_yaml(text: str) -> Any:
    """Parse YAML text, refusing duplicate keys."""
    return yaml.load(text, Loader=_StrictLoader)


def _check_keys(
    where: str, data: Mapping[str, Any], required: set[str], optional: set[str]
) -> None:
    keys = set(data)
    if missing := required - keys:
        raise RegulationError(f"{where}: missing key(s) {sorted(missing)}")
    if unknown := keys - required - optional:
        raise RegulationError(f"{where}: unknown key(s) {sorted(unknown)}")


def convert(value: Any, tp: Any, where: str) -> Any:
    """Convert a YAML value to the Python type `tp`, strictly."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return convert(value, options[0], where)
    if origin is tuple:
        (item,) = (a for a in typing.get_args(tp) if a is not Ellipsis)
        if not isinstance(value, list):
            raise RegulationError(f"{where}: expected a list, got {value!r}")
        return tuple(convert(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if tp is records.Money:
        if not isinstance(value, str) or not MONEY.match(value):
            raise RegulationError(
                f"{where}: money must be a quoted string with two decimals, got {value!r}"
            )
        return records.Money(value)
    if tp is Decimal:
        if not isinstance(value, str) or not DECIMAL.match(value):
            raise RegulationError(f"{where}: decimals must be quoted strings, got {value!r}")
        return Decimal(value)
    if tp is bool:
        if not isinstance(value, bool):
            raise RegulationError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RegulationError(f"{where}: expected a whole number, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str) or not value.strip():
            raise RegulationError(f"{where}: expected a non-empty text, got {value!r}")
        return value
    if tp is dt.date:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise RegulationError(f"{where}: expected a date YYYY-MM-DD, got {value!r}")
        return value
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        try:
            return tp(value)
        except ValueError:
            allowed = ", ".join(m.value for m in tp)
            raise RegulationError(f"{where}: {value!r} is not one of: {allowed}") from None
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _convert_record(value, tp, where)
    raise RegulationError(f"{where}: unsupported type {tp!r}")  # pragma: no cover - catalogue bug


def _convert_record(value: Any, tp: type[Any], where: str) -> Any:
    if not isinstance(value, dict):
        raise RegulationError(f"{where}: expected a mapping for {tp.__name__}, got {value!r}")
    hints = typing.get_type_hints(tp)
    fields = {f.name: f for f in dataclasses.fields(tp)}
    required = {
        n
        for n, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    _check_keys(where, value, required, set(fields) - required)
    converted = {k: convert(v, hints[k], f"{where}.{k}") for k, v in value.items()}
    try:
        return tp(**converted)
    except ValueError as exc:  # a record's own consistency check (`__post_init__`)
        raise RegulationError(f"{where}: {exc}") from None


def _citation(data: Any, where: str) -> citation.Citation:
    if not isinstance(data, dict):
        raise RegulationError(f"{where}: a citation is a mapping with title and status")
    _check_keys(where, data, CITE_KEYS, OPTIONAL_CITE_KEYS)
    cite = citation.Citation(
        title=convert(data["title"], str, f"{where}.title"),
        status=convert(data["status"], citation.Confirmation, f"{where}.status"),
        ref=convert(data.get("ref"), str | None, f"{where}.ref"),
        url=convert(data.get("url"), str | None, f"{where}.url"),
        seed=convert(data.get("seed"), str | None, f"{where}.seed"),
        quote=convert(data.get("quote"), str | None, f"{where}.quote"),
    )
    if not (cite.ref or cite.url or cite.seed):
        raise RegulationError(
            f"{where}: a citation needs a Légifrance ref, an official url or a seed"
        )
    if cite.ref and not citation.LEGIFRANCE_ID.match(cite.ref):
        raise RegulationError(f"{where}.ref: {cite.ref!r} is not a Légifrance identifier")
    if cite.url and not cite.url.startswith("https://"):
        raise RegulationError(f"{where}.url: only https addresses are accepted, got {cite.url!r}")
    return cite


def _citations(data: Any, where: str) -> tuple[citation.Citation, ...]:
    items = data if isinstance(data, list) else [data]
    if not items:
        raise RegulationError(f"{where}: at least one citation is required")
    return tuple(_citation(c, f"{where}[{i}]") for i, c in enumerate(items))


def load_timeline(name: str, text: str, type_name: str, tp: Any) -> timeline.Timeline[Any]:
    """Build the timeline of parameter `name` from its YAML text, checked against its type."""
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise RegulationError(f"{name}: not valid YAML: {exc}") from None
    except RegulationError as exc:
        raise RegulationError(f"{name}: {exc}") from None
    if not isinstance(data, dict):
        raise RegulationError(f"{name}: a parameter file is a mapping")
    _check_keys(name, data, TOP_KEYS, OPTIONAL_TOP_KEYS)
    if data["type"] != type_name:
        raise RegulationError(f"{name}: declared type {data['type']!r}, expected {type_name!r}")
    reviewed_on = convert(data["reviewed_on"], dt.date, f"{name}.reviewed_on")
    values = data["values"]
    if not isinstance(values, dict) or not values:
        raise RegulationError(f"{name}.values: expected a non-empty mapping keyed by dates")
    for key in values:
        convert(key, dt.date, f"{name}.values key")
    starts = sorted(values)
    if values[starts[0]] is None:
        raise RegulationError(f"{name}.values: the first entry cannot be null")
    entries: list[timeline.Dated[Any]] = []
    for i, day in enumerate(starts):
        raw = values[day]
        if raw is None:
            continue
        where = f"{name}.values[{day.isoformat()}]"
        if not isinstance(raw, dict):
            raise RegulationError(f"{where}: expected a mapping with value and cite, or null")
        _check_keys(where, raw, ENTRY_KEYS, OPTIONAL_ENTRY_KEYS)
        entries.append(
            timeline.Dated(
                name=name,
                value=convert(raw["value"], tp, f"{where}.value"),
                since=day,
                until=starts[i + 1] if i + 1 < len(starts) else None,
                cite=_citations(raw["cite"], f"{where}.cite"),
                note=convert(raw.get("note"), str | None, f"{where}.note"),
            )
        )
    title = convert(data["title"], str, f"{name}.title")
    return timeline.Timeline(
        name=name, title=title, reviewed_on=reviewed_on, entries=tuple(entries)
    )
