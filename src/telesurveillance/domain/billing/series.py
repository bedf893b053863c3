"""B3 / R04–R05: billable periods grouped into series of at most 6, paper sheets of at most 4."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from telesurveillance.domain.billing import verdict
from telesurveillance.domain.regulation import store


def chunks(items: Sequence[int], size: int) -> tuple[tuple[int, ...], ...]:
    if size < 1:
        raise ValueError(f"chunk size must be positive, got {size}")
    return tuple(tuple(items[i : i + size]) for i in range(0, len(items), size))


def group(
    regulation: store.Regulation, periods: Sequence[verdict.PeriodVerdict], as_of: dt.date
) -> tuple[verdict.Series, ...]:
    """The billable periods, in order, cut into invoices; each invoice cut into paper sheets."""
    per_series = regulation.get("series.max_periodes", int).at_or_first(as_of).value
    per_sheet = regulation.get("series.max_lignes_feuille_papier", int).at_or_first(as_of).value
    billable = [p.number for p in periods if p.billable]
    return tuple(verdict.Series(s, chunks(s, per_sheet)) for s in chunks(billable, per_series))
