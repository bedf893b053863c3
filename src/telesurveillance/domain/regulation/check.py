"""Audit of the regulatory data: uncited or unconfirmed values, stale reviews, gaps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telesurveillance.domain.regulation import citation, store, timeline

STALE_AFTER_DAYS = 180


class Severity(StrEnum):
    ERROR = "error"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    name: str
    message: str


def check(regulation: store.Regulation, today: dt.date) -> list[Finding]:
    """Errors make `regulation check` fail; infos list what is still to confirm."""
    findings: list[Finding] = []
    for tl in regulation:
        age = (today - tl.reviewed_on).days
        if age > STALE_AFTER_DAYS:
            findings.append(
                Finding(Severity.ERROR, tl.name, f"last reviewed {age} days ago ({tl.reviewed_on})")
            )
        if tl.reviewed_on > today:
            findings.append(
                Finding(Severity.ERROR, tl.name, f"reviewed_on {tl.reviewed_on} is in the future")
            )
        for start, end in tl.gaps():
            findings.append(
                Finding(Severity.ERROR, tl.name, f"nothing in force from {start} to {end}")
            )
        # Uncited values never get this far: the loader refuses them (and `regulation check`
        # reports the loader's error).
        for entry in tl:
            if entry.to_confirm:
                statuses = ", ".join(sorted({c.status.value for c in entry.cite}))
                findings.append(
                    Finding(
                        Severity.INFO,
                        tl.name,
                        f"value since {entry.since} still to confirm ({statuses}): {why(entry)}",
                    )
                )
    return findings


def why(entry: timeline.Dated[Any]) -> str:
    """Why a value is still to confirm: the project choice it rests on, or the fact that only
    secondary sources back it (named), then the entry's own note, shortened."""
    statuses = {c.status for c in entry.cite}
    reasons = []
    choices = [c.title for c in entry.cite if c.status is citation.Confirmation.INFERENCE]
    if choices:
        reasons.append("project choice where the sources are silent: " + " / ".join(choices))
    if all(s.to_confirm for s in statuses):
        secondary = [c.title for c in entry.cite if c.status is citation.Confirmation.SECONDAIRE]
        if secondary:
            reasons.append("no official source read, only: " + " / ".join(secondary))
    if entry.note:
        reasons.append("note: " + _shorten(entry.note))
    return "; ".join(reasons)


def _shorten(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
