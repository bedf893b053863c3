"""Alert-burden statistics over a date range (`domain.alerts.burden` does the arithmetic)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from telesurveillance.domain.alerts import burden


class Store(Protocol):
    def facts(
        self, start: dt.date, end: dt.date, operateur_id: int | None = None
    ) -> list[burden.AlertFact]: ...

    def monitorings(
        self, start: dt.date, end: dt.date, operateur_id: int | None = None
    ) -> list[burden.Monitoring]: ...


def statistics(
    store: Store, start: dt.date, end: dt.date, operateur_id: int | None = None
) -> list[burden.Burden]:
    """Per opérateur × indication × rule, alerts opened in the Paris days `[start, end)`."""
    if end <= start:
        raise ValueError("the range [start, end) is empty")
    return burden.burden(
        store.facts(start, end, operateur_id), store.monitorings(start, end, operateur_id),
        start, end,
    )  # fmt: skip
