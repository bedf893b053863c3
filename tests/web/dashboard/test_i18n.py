"""Both languages for every message; Babel formats amounts and dates per locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from telesurveillance.web.i18n import formats, messages


def test_every_message_has_a_french_and_an_english_text() -> None:
    for key, (fr, en) in messages.MESSAGES.items():
        assert fr.strip(), key
        assert en.strip(), key


def test_placeholders_are_the_same_in_both_languages() -> None:
    import string

    def names(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for key, (fr, en) in messages.MESSAGES.items():
        assert names(fr) == names(en), key


@pytest.mark.parametrize(("lang", "expected"), [("fr", "1\u202f234,50\xa0€"), ("en", "€1,234.50")])
def test_amounts_follow_the_locale(lang: str, expected: str) -> None:
    assert formats.money(Decimal("1234.50"), lang) == expected


def test_dates_are_written_out_in_french() -> None:
    assert formats.day(dt.date(2026, 11, 22), "fr") == "22 novembre 2026"
    assert formats.day(dt.date(2026, 11, 22), "en") == "22 November 2026"


def test_an_unknown_amount_is_a_dash() -> None:
    assert formats.money(None, "fr") == "—"


def test_an_unknown_key_is_shown_as_is_and_an_unknown_language_is_french() -> None:
    assert messages.translate("no.such.key", "fr") == "no.such.key"
    assert messages.translate("nav.alerts", "de") == "Alertes"
