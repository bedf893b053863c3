"""Both languages for every message; Babel formats amounts and dates per locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from telesurveillance.web.i18n import formats, messages


def test_every_message_has_a_french_and_an_english_text() -> None:
    for key, message in messages.catalog().items():
        assert set(message.texts) == {"fr", "en"}, key


def test_placeholders_are_the_same_in_both_languages() -> None:
    import string

    def names(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for key, message in messages.catalog().items():
        fr, en = (message.text(lang, None) for lang in ("fr", "en"))
        assert names(fr) == names(en), key


def _catalog(text: str) -> dict[str, messages.Message]:
    return messages.parse({"test.yaml": text})


@pytest.mark.parametrize(
    "text",
    [
        "a.b: {fr: x}",  # English missing
        "a.b: {fr: x, en: y, de: z}",  # a language we do not have
        "a.b: {fr: '{n} x', en: y}",  # placeholders differ
        "a.b: {fr: ' ', en: y}",  # empty
        "a.b: {fr: {one: x}, en: {one: y, other: z}}",  # plural without `other`
        "a.b: {fr: x, en: y}\na.b: {fr: x, en: y}",  # a key twice
        "[1, 2]",  # not a mapping
    ],
)
def test_a_malformed_catalogue_is_refused(text: str) -> None:
    with pytest.raises(messages.CatalogError):
        _catalog(text)


def test_a_key_defined_in_two_files_is_refused() -> None:
    with pytest.raises(messages.CatalogError, match="another file"):
        messages.parse({"a.yaml": "k: {fr: x, en: y}", "b.yaml": "k: {fr: x, en: y}"})


def test_plurals_follow_each_languages_rules() -> None:
    found = _catalog(
        "days: {fr: {one: '{n} jour', other: '{n} jours'}, en: {one: '{n} day', other: '{n} days'}}"
    )["days"]
    assert [found.text("fr", n).format(n=n) for n in (0, 1, 2)] == ["0 jour", "1 jour", "2 jours"]
    assert [found.text("en", n).format(n=n) for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]


def test_every_message_key_a_template_names_exists() -> None:
    import re

    from tests.conftest import ROOT

    web = ROOT / "src" / "telesurveillance" / "web"
    # a literal key (`t("nav.alerts")`); keys built from a prefix (`t("status." ~ s)`) are the
    # enumerations, checked by their own tests
    named = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*[,)]""")
    missing = [
        f"{path.relative_to(web)}: {key}"
        for path in [*web.rglob("*.html"), *web.rglob("*.py")]
        for key in named.findall(path.read_text(encoding="utf-8"))
        if not messages.known(key)
    ]
    assert missing == []


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


def test_every_value_the_pages_name_by_prefix_has_its_message() -> None:
    from enum import StrEnum

    from telesurveillance.domain.alerts import lifecycle, rules
    from telesurveillance.domain.billing import verdict
    from telesurveillance.domain.regulation import catalogue
    from telesurveillance.services.billing import forecast

    enumerations: dict[str, type[StrEnum]] = {
        "status": lifecycle.Status,
        "decision": lifecycle.Decision,
        "severity": rules.Severity,
        "indication": catalogue.Indication,
        "outlook": forecast.Outlook,
        "forfait": verdict.Forfait,
    }
    missing = [
        f"{prefix}.{value.value}"
        for prefix, enum in enumerations.items()
        for value in enum
        if not messages.known(f"{prefix}.{value.value}")
    ]
    assert missing == []
