"""Money: euros as `Decimal`, rounded to the cent, and the AMO / rest split."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """Round half up to the cent (the usual rule for amounts on a care sheet)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def split(amount: Decimal, amo_rate: Decimal) -> tuple[Decimal, Decimal]:
    """The AMO share (rounded to the cent) and the rest, which always add up to `amount`."""
    if not Decimal(0) <= amo_rate <= Decimal(1):
        raise ValueError(f"AMO rate must be between 0 and 1, got {amo_rate}")
    amount = cents(amount)
    amo = cents(amount * amo_rate)
    return amo, amount - amo


def text(amount: Decimal) -> str:
    """Two decimals, dot separator: the exchange format ("28.00")."""
    return f"{cents(amount):.2f}"
