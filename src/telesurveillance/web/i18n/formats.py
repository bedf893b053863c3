"""Locale-aware formatting with Babel (CLDR): `1 234,50 €`, `22 novembre 2026`."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel import Locale, dates, numbers

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@functools.cache
def locale_of(lang: str) -> Locale:
    """The CLDR locale of a language (parsed once: pages format many dates)."""
    return Locale.parse(LOCALES.get(lang, LOCALES["fr"]))


@functools.cache
def _long_date(lang: str) -> dates.DateTimePattern:
    return dates.get_date_format("long", locale=locale_of(lang))


def money(value: Decimal | float | int | None, lang: str) -> str:
    """An amount in euros; an em dash when unknown."""
    if value is None:
        return "—"
    return numbers.format_currency(Decimal(str(value)), "EUR", locale=locale_of(lang))


def cents(value: int | None, lang: str) -> str:
    return money(None if value is None else Decimal(value) / 100, lang)


def number(value: float | int, lang: str, digits: int = 1) -> str:
    return numbers.format_decimal(value, format=_decimals(digits), locale=locale_of(lang))


@functools.cache
def _decimals(digits: int) -> numbers.NumberPattern:
    """The pattern of `digits` decimals, parsed once (a glucose report formats ~150 numbers)."""
    return numbers.parse_pattern("#,##0" + ("." + "#" * digits if digits else ""))


def day(value: dt.date | None, lang: str) -> str:
    """`22 novembre 2026` / `22 November 2026`."""
    if value is None:
        return "—"
    return dates.format_date(value, format=_long_date(lang).pattern, locale=locale_of(lang))


#: A date with the hour and minute, as a care team writes it (24-hour clock in both languages).
_MOMENT = {"fr": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def moment(value: dt.datetime, lang: str) -> str:
    """A date and time in Paris time: `29/11/2026 08:05` / `29 Nov 2026, 08:05`."""
    return dates.format_datetime(
        value,
        format=_MOMENT.get(lang, _MOMENT["fr"]),
        tzinfo=dates.get_timezone("Europe/Paris"),
        locale=locale_of(lang),
    )


def millis(value: int | None, lang: str) -> str:
    """A stored instant (UTC milliseconds) as `moment` shows it; `—` when there is none."""
    if value is None:
        return "—"
    return moment(dt.datetime.fromtimestamp(value / 1000, dt.UTC), lang)
