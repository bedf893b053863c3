"""Which periods a chain of prescriptions covers.

A prescription of N months covers N consecutive 30-day periods (one month = one billing period,
the unit of the forfaits) and never more than the legal maximum of one year (art. R. 162-100 CSS;
"sans nouvelle prescription, ne peut excéder une période d'un an sans interruption", arrêté du
21 décembre 2023). A renewal continues right after the previous coverage when it is written before
that coverage ends; written later, it covers from the first period starting on or after its date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telesurveillance.domain import calendar
from telesurveillance.domain.billing import model


@dataclass(frozen=True, slots=True)
class Covered:
    """The prescription covering a period, and whether it was written for more than the cap."""

    prescription: model.Prescription
    over_cap: bool


def covered_periods(
    starts_on: dt.date,
    prescriptions: tuple[model.Prescription, ...],
    period_days: int,
    max_months: int,
) -> dict[int, Covered]:
    """Period number → the prescription covering it."""
    covered: dict[int, Covered] = {}
    next_period = 1
    for rx in prescriptions:
        first = max(
            next_period,
            calendar.first_period_starting_on_or_after(starts_on, rx.prescribed_on, period_days),
        )
        count = min(rx.months, max_months)
        for number in range(first, first + count):
            covered[number] = Covered(rx, rx.months > max_months)
        next_period = first + count
    return covered
