"""Reading the members of an uploaded Nightscout document: numbers, instants, identifiers."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from telesurveillance.adapters.cgm import lines
from telesurveillance.domain.measures import reading


class Bad(ValueError):
    """A member we refuse, named by `field`."""

    def __init__(self, reason: str, field: str | None) -> None:
        super().__init__(reason)
        self.field = field


def number(document: Mapping[str, Any], name: str) -> float:
    """A numeric member (JSON number, or a numeric string as careportal forms send)."""
    value = document.get(name)
    if value is None:
        raise Bad(f"no {name}", name)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise Bad(f"{name} {document.get(name)!r} is not a number", name) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Bad(f"{name} {document.get(name)!r} is not a number", name)
    return float(value)


def iso_ms(text: str, name: str) -> int:
    """UTC milliseconds of an ISO 8601 date-time that carries its offset."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise Bad(f"{name} {text!r} is not an ISO 8601 date-time", name) from None
    if moment.tzinfo is None:
        raise Bad(f"{name} {text!r} has no UTC offset: the instant is unknown", name)
    return reading.millis(moment)


def instant_ms(document: Mapping[str, Any], names: tuple[str, ...]) -> int:
    """The first of `names` present, read as epoch milliseconds (number) or ISO 8601 (text)."""
    for name in names:
        value = document.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            return iso_ms(value, name)
        millis = number(document, name)
        if not 0 < millis < 2**32 * 1000:
            raise Bad(f"{name} {value!r} is not an instant in epoch milliseconds", name)
        return int(millis)
    raise Bad(f"no instant: none of {', '.join(names)}", names[0])


def record_id(document: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    """The sender's own identifier of the record, from the first of `names` it carries."""
    for name in names:
        value = document.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def text(document: Mapping[str, Any], name: str) -> str:
    value = document.get(name)
    return value.strip() if isinstance(value, str) else ""


def refused(number: int, error: Bad) -> lines.Line:
    return lines.Line(number, refusal=lines.Refusal(number, str(error), error.field))
