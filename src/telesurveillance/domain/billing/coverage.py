"""Which periods a chain of prescriptions covers.

A prescription of N months covers N consecutive 30-day periods (one month = one billing period,
the unit of the forfaits), never more than its indication's maximum duration (e.g. 3 months for
diabetes, the same `prescription` parameter the pathway prescribes with) and never more than the
legal maximum of one year (art. R. 162-100 CSS; "sans nouvelle prescription, ne peut excéder une
période d'un an sans interruption", arrêté du 21 décembre 2023). A renewal continues right after
the previous coverage when it is written before that coverage ends; written later, it covers from
the first period starting on or after its date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telesurveillance.domain import calendar
from telesurveillance.domain.billing import model


@dataclass(frozen=True, slots=True)
class Covered:
    """The prescription covering a period, and whether it was written for more than the legal
    cap (`over_cap`) or than its indication's maximum (`over_indication_max`, that maximum)."""

    prescription: model.Prescription
    over_cap: bool
    over_indication_max: int | None = None


def covered_periods(
    starts_on: dt.date,
    prescriptions: tuple[model.Prescription, ...],
    period_days: int,
    max_months: int,
    indication_max_months: int | None = None,
) -> dict[int, Covered]:
    """Period number → the prescription covering it."""
    covered: dict[int, Covered] = {}
    next_period = 1
    cap = max_months if indication_max_months is None else min(max_months, indication_max_months)
    for rx in prescriptions:
        first = max(
            next_period,
            calendar.first_period_starting_on_or_after(starts_on, rx.prescribed_on, period_days),
        )
        count = min(rx.months, cap)
        over_indication = cap if cap < max_months and rx.months > cap else None
        for number in range(first, first + count):
            covered[number] = Covered(rx, rx.months > max_months, over_indication)
        next_period = first + count
    return covered
