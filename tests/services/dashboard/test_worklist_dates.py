"""The latest start of a prescription that ends by a given day, on both sides of the boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from telesurveillance.services.dashboard import worklist

DAY = dt.timedelta(days=1)


@pytest.mark.parametrize("months", [1, 2, 3, 6, 12, 24])
def test_the_latest_start_ends_by_the_day_and_the_day_after_it_does_not(months: int) -> None:
    ends_by = dt.date(2025, 1, 1)
    while ends_by < dt.date(2026, 1, 1):
        latest = worklist.latest_start(ends_by, months)
        assert worklist.add_months(latest, months) <= ends_by
        assert worklist.add_months(latest + DAY, months) > ends_by
        ends_by += DAY


def test_a_one_month_prescription_from_the_31st_of_january_ends_on_the_28th_of_february() -> None:
    assert worklist.add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert worklist.latest_start(dt.date(2025, 2, 28), 1) == dt.date(2025, 1, 31)
    assert worklist.latest_start(dt.date(2025, 2, 27), 1) == dt.date(2025, 1, 27)
