"""The file-active simulator: both readings of the grid, floors, and no guess for unknown tiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from telesurveillance.domain.billing import file_active
from telesurveillance.domain.regulation import records, store

ORG = records.Benefit.ORGANISATIONNEL
DAY = dt.date(2024, 6, 1)


def _sim(
    regulation: store.Regulation,
    n: int,
    reading: file_active.Reading,
    benefit: records.Benefit = ORG,
) -> file_active.Simulation:
    grid = regulation.get("forfaits.technique.grille_file_active", records.FileActiveGrid)
    floors = regulation.get("forfaits.technique.planchers", records.AmountsByBenefit)
    return file_active.simulate(grid.at(DAY).value, floors.at(DAY).value, benefit, n, reading)


def test_whole_tier_reading_gives_the_second_tier_amount_example_ex30(
    regulation: store.Regulation,
) -> None:
    assert _sim(regulation, 6100, file_active.Reading.TRANCHE_ENTIERE).amount == Decimal("45.83")


def test_progressive_reading_averages_the_tiers_example_ex30(regulation: store.Regulation) -> None:
    sim = _sim(regulation, 6100, file_active.Reading.PROGRESSIVE)
    # (4,999 × 50.00 + 1,101 × 45.83) / 6,100 = 49.2473…
    assert sim.amount == Decimal("49.25")
    assert sim.approximate


@pytest.mark.parametrize(
    ("reading", "at_5000"),
    [(file_active.Reading.TRANCHE_ENTIERE, "45.83"), (file_active.Reading.PROGRESSIVE, "50.00")],
)
def test_first_tier_upper_bound_on_both_sides(
    regulation: store.Regulation, reading: file_active.Reading, at_5000: str
) -> None:
    assert _sim(regulation, 4999, reading).amount == Decimal("50.00")
    # progressive: (4,999 × 50.00 + 1 × 45.83) / 5,000 = 49.99917 → 50.00
    assert _sim(regulation, 5000, reading).amount == Decimal(at_5000)


def test_whole_tier_above_100000_is_floored_example_ex31(regulation: store.Regulation) -> None:
    sim = _sim(regulation, 150_000, file_active.Reading.TRANCHE_ENTIERE)
    assert sim.amount == Decimal("20.83")
    assert sim.floored


def test_unknown_tiers_give_no_amount_rather_than_a_guess(regulation: store.Regulation) -> None:
    assert _sim(regulation, 8000, file_active.Reading.TRANCHE_ENTIERE).amount is None
    assert _sim(regulation, 150_000, file_active.Reading.PROGRESSIVE).amount is None
    assert (
        _sim(
            regulation, 6000, file_active.Reading.TRANCHE_ENTIERE, records.Benefit.MORTALITE
        ).amount
        is None
    )


def test_file_active_must_be_positive(regulation: store.Regulation) -> None:
    with pytest.raises(ValueError, match="positive"):
        _sim(regulation, 0, file_active.Reading.PROGRESSIVE)
