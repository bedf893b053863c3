"""Reading alerts as the API and the FHIR views show them: one alert with its history, or a page
of the worklist (most severe first, then oldest first).

`Views` is the read-model port (`adapters.sql.alerts.read.SqlAlertViews`); the functions below
are what the edges call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class View:
    """One alert as stored, with its transitions and pre-filter verdict when read alone."""

    id: int
    patient_id: int
    operateur_id: int | None
    indication: str
    rule_id: str
    rule_kind: str
    severity: str
    status: str
    decision: str | None
    first_ts: int
    last_ts: int
    observed: float | None
    count: int
    implicated: list[list[int]]
    message: str
    opened_at: int
    last_seen_at: int
    acknowledged_at: int | None
    closed_at: int | None
    version: int
    transitions: list[dict[str, Any]] = field(default_factory=list)
    prefilter: dict[str, Any] | None = None


class Views(Protocol):
    def search(
        self,
        *,
        patient_id: int | None = None,
        operateur_id: int | None = None,
        statuses: Sequence[str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[View]:
        """Alerts (without their transitions), most severe first, then oldest first."""
        ...

    def get(self, alert_id: int) -> View | None:
        """One alert with its transitions (oldest first) and its pre-filter verdict."""
        ...


def search(
    views: Views,
    *,
    patient_id: int | None = None,
    operateur_id: int | None = None,
    statuses: Sequence[str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[View]:
    """A page of alerts, filtered by patient, opérateur and stored statuses."""
    return views.search(
        patient_id=patient_id, operateur_id=operateur_id, statuses=statuses, limit=limit,
        offset=offset,
    )  # fmt: skip


def get(views: Views, alert_id: int) -> View | None:
    return views.get(alert_id)
