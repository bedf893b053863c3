"""Identifiers: NIR key (Corsica included), RPPS, FINESS, SIRET."""

from __future__ import annotations

import pytest

from telesurveillance.domain import identity


@pytest.mark.parametrize("nir", ["295109912611193", "253072B07300470", "2 95 10 99 126 111 93"])
def test_a_valid_nir_is_accepted_in_compact_form(nir: str) -> None:
    assert identity.nir(nir) == nir.replace(" ", "")


def test_a_nir_with_a_wrong_key_is_refused_naming_the_key() -> None:
    with pytest.raises(identity.IdentifierError, match="key"):
        identity.nir("295109912611199")


def test_a_short_nir_is_refused() -> None:
    with pytest.raises(identity.IdentifierError):
        identity.nir("29510991261119")


def test_an_rpps_has_eleven_digits() -> None:
    assert identity.rpps("10001234567") == "10001234567"
    for bad in ("1000123456", "100012345678", "1000123456A"):
        with pytest.raises(identity.IdentifierError):
            identity.rpps(bad)


def test_a_finess_has_nine_characters_with_corsica() -> None:
    assert identity.finess("2A0001234") == "2A0001234"
    assert identity.finess("750000000") == "750000000"
    for bad in ("75000000", "7500000000", "2C0001234"):
        with pytest.raises(identity.IdentifierError):
            identity.finess(bad)


def test_a_siret_is_checked_with_the_luhn_key() -> None:
    assert identity.siret("73282932000074") == "73282932000074"
    with pytest.raises(identity.IdentifierError, match="Luhn"):
        identity.siret("73282932000075")
