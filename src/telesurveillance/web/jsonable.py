"""Domain values as JSON values, for the JSON API and the pages: one conversion for all routes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any


def plain(value: Any) -> Any:
    """Dataclasses and mappings as objects, sequences as lists, dates as ISO 8601, numbers,
    strings (enums included), booleans and None as they are, anything else (Decimal) as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
