"""The regulatory basis of a ledger line, read back with its citations for the exports."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from telesurveillance.domain.regulation import citation, store


@dataclass(frozen=True, slots=True)
class Cited:
    parameter: str
    since: dt.date
    cite: tuple[citation.Citation, ...]

    def text(self) -> str:
        return f"{self.parameter} (depuis le {self.since.isoformat()}): " + "; ".join(
            c.short() for c in self.cite
        )


def cites(regulation: store.Regulation, basis: str) -> tuple[Cited, ...]:
    """The `[[parameter, since], ...]` of a line with each value's citations."""
    out = []
    for parameter, since in json.loads(basis):
        day = dt.date.fromisoformat(since)
        dated = regulation.any(parameter).get(day)
        out.append(Cited(parameter, day, dated.cite if dated is not None else ()))
    return tuple(out)
