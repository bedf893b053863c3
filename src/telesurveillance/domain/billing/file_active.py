"""Revenue simulator for the forfait technique by file active — APPROXIMATE, never billed.

The arrêté du 16 mai 2023 (art. 1) modulates the forfait technique by the average monthly file
active, in twelve tiers, with a floor per expected benefit. Only some tier amounts could be found
and the sources do not settle how a file active reads the grid, so both readings are offered
and any tier whose amount is unknown makes the result unknown (`None`) instead of a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from telesurveillance.domain import money
from telesurveillance.domain.regulation import records


class Reading(StrEnum):
    #: the whole file active takes the amount of the tier it falls in.
    TRANCHE_ENTIERE = "tranche_entiere"
    #: each tier's amount applies to the patients inside it; the result is their average.
    PROGRESSIVE = "progressive"


@dataclass(frozen=True, slots=True)
class Simulation:
    reading: Reading
    file_active: int
    amount: Decimal | None
    floored: bool
    approximate: bool = True


def _tier_amount(tier: records.FileActiveTier, benefit: records.Benefit) -> Decimal | None:
    amount: Decimal | None = getattr(tier, benefit.value)
    return amount


def simulate(
    grid: records.FileActiveGrid,
    floors: records.AmountsByBenefit,
    benefit: records.Benefit,
    file_active: int,
    reading: Reading,
) -> Simulation:
    """The per-patient amount for `file_active` under `reading`, floored; `None` if unknown."""
    if file_active < 1:
        raise ValueError(f"file active must be positive, got {file_active}")
    tiers = sorted(grid.paliers, key=lambda t: t.de)
    floor = floors.of(benefit)
    raw = (
        _whole_tier(tiers, benefit, file_active)
        if reading is Reading.TRANCHE_ENTIERE
        else _progressive(tiers, benefit, file_active)
    )
    if raw is None:
        return Simulation(reading, file_active, None, floored=False)
    if raw < floor:
        return Simulation(reading, file_active, floor, floored=True)
    return Simulation(reading, file_active, money.cents(raw), floored=False)


def _whole_tier(
    tiers: list[records.FileActiveTier], benefit: records.Benefit, file_active: int
) -> Decimal | None:
    for tier in tiers:
        if tier.de <= file_active and (tier.a is None or file_active <= tier.a):
            return _tier_amount(tier, benefit)
    return None  # falls in a tier the data does not hold


def _progressive(
    tiers: list[records.FileActiveTier], benefit: records.Benefit, file_active: int
) -> Decimal | None:
    total = Decimal(0)
    counted = 0
    for index, tier in enumerate(tiers):
        if index and tier.de != counted + 1:
            return None  # a tier between two known ones is missing: no guess
        top = file_active if tier.a is None else min(file_active, tier.a)
        patients = top - counted
        amount = _tier_amount(tier, benefit)
        if amount is None:
            return None
        total += amount * patients
        counted = top
        if counted >= file_active:
            return total / file_active
    return None
