"""How the explanations write days, amounts and counts, in French (default) and English.

Pure and dependency-free (the domain imports no i18n framework): French writes "1er juin 2024",
"28,00 €" and "2,5"; English writes "1 June 2024", "€28.00" and "2.5".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from telesurveillance.domain import money


class Lang(StrEnum):
    FR = "fr"
    EN = "en"


_MONTHS = {
    Lang.FR: (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    Lang.EN: (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
#: Narrow no-break space, the French thousands separator; no-break space before the euro sign.
_THIN = "\u202f"
_NBSP = "\u00a0"


def day(value: dt.date, lang: Lang) -> str:
    month = _MONTHS[lang][value.month - 1]
    if lang is Lang.FR:
        first = "1er" if value.day == 1 else str(value.day)
        return f"{first} {month} {value.year}"
    return f"{value.day} {month} {value.year}"


def amount(value: Decimal, lang: Lang) -> str:
    """Euros with two decimals: "1 234,50 €" / "€1,234.50"."""
    text = money.text(value)
    units, cents = text.split(".")
    groups = f"{int(units):,}"
    if lang is Lang.FR:
        return f"{groups.replace(',', _THIN)},{cents}{_NBSP}€"
    return f"€{groups}.{cents}"


def number(value: int | Decimal, lang: Lang) -> str:
    """A count or a threshold, without trailing zeros: 15, 2,5 / 2.5."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang is Lang.FR else text


def plural(count: int | Decimal, singular: str, several: str, lang: Lang = Lang.EN) -> str:
    """The word for `count`: French keeps the singular below two ("0 jour", "1 jour"), English
    only for one ("0 days", "1 day")."""
    if lang is Lang.FR:
        return singular if count < 2 else several
    return singular if count == 1 else several
