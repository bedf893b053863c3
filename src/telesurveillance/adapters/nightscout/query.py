"""`GET /api/v1/entries` filters, as uploaders and followers write them.

Nightscout (`lib/server/query.js`, `lib/api/entries/index.js`) takes `count` (default 10),
`find[type]` (or the `/entries/sgv.json` path), and bounds on `find[date]` (epoch ms) or
`find[dateString]` / `find[sysTime]` (ISO 8601; a `+` the client did not escape arrives as a
space) with `$gte`, `$gt`, `$lte`, `$lt` or `$eq`. Without a date bound it only looks back four
days. Results are newest first. Other `find` members (`find[sgv][$gte]`, …) filter values; they
are read too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from telesurveillance.adapters.nightscout import fields

DEFAULT_COUNT = 10
#: Nightscout's window when a query has no date bound (`deltaAgo`: two times TWO_DAYS).
DEFAULT_WINDOW_MS = 4 * 24 * 60 * 60 * 1000
MAX_COUNT = 100_000
_FIND = re.compile(r"^find\[(\w+)\](?:\[\$(gte|gt|lte|lt|eq)\])?$")
_DATES = ("date", "dateString", "sysTime")
_VALUES = ("sgv", "mbg")


class QueryError(ValueError):
    """A filter we cannot read (the response is a 400 naming it)."""


@dataclass(frozen=True, slots=True)
class Entries:
    """What to return: types (`None` for all), the half-open UTC ms range, value bounds and
    how many, newest first."""

    types: frozenset[str] | None
    since: int
    until: int | None
    count: int
    value_min: float | None = None
    value_max: float | None = None


def entries(params: Mapping[str, str], *, now_ms: int, spec: str | None = None) -> Entries:
    """Read the query of `GET /api/v1/entries[/spec][.json]`; `spec` is `sgv`, `mbg`, `cal`…"""
    count = _count(params.get("count"))
    types = {spec} if spec else set()
    since: int | None = None
    until: int | None = None
    low: float | None = None
    high: float | None = None
    for key, raw in params.items():
        found = _FIND.match(key)
        if found is None:
            continue
        name, op = found[1], found[2] or "eq"
        if name == "type":
            types.add(raw.strip())
        elif name in _DATES:
            ms = _date(raw, key)
            if op in ("gte", "eq"):
                since = max(since or ms, ms)
            if op == "gt":
                since = max(since or ms + 1, ms + 1)
            if op in ("lte", "eq"):
                until = min(until or ms + 1, ms + 1)
            if op == "lt":
                until = min(until or ms, ms)
        elif name in _VALUES:
            value = _value(raw, key)
            if op in ("gte", "gt", "eq"):
                low = max(low if low is not None else value, value + (1e-9 if op == "gt" else 0))
            if op in ("lte", "lt", "eq"):
                high = min(high if high is not None else value, value - (1e-9 if op == "lt" else 0))
    if since is None and until is None:
        since = now_ms - DEFAULT_WINDOW_MS
    return Entries(frozenset(types) or None, since or 0, until, count, low, high)


def _count(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_COUNT
    if not raw.strip().isdigit():
        raise QueryError(f"count {raw!r} is not a whole number")
    return min(int(raw), MAX_COUNT)


def _date(raw: str, key: str) -> int:
    text = raw.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    text = text.replace(" ", "+")
    if len(text) == 10:  # a date alone: that day at 00:00 UTC, as moment.parseZone reads it
        text += "T00:00:00Z"
    try:
        return fields.iso_ms(text, key)
    except fields.Bad as error:
        raise QueryError(str(error)) from None


def _value(raw: str, key: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise QueryError(f"{key} {raw!r} is not a number") from None
