"""Every message of the web pages, in French and English, read from `catalog/*.yaml`.

One YAML file per area of the pages (`chrome.yaml` for the frame, `alerts.yaml`, ...), so that
areas add their messages without touching each other's. The format and the strict loader are
`telesurveillance.catalogs` (shared with the command line's catalogue).
"""

from __future__ import annotations

import functools

from telesurveillance import catalogs

LANGUAGES = catalogs.LANGUAGES
PLURAL_FORMS = catalogs.PLURAL_FORMS
CatalogError = catalogs.CatalogError
Message = catalogs.Message
parse = catalogs.parse


@functools.cache
def catalog() -> dict[str, Message]:
    """The packaged catalogue (read once)."""
    return catalogs.load(__package__ or "telesurveillance.web.i18n")


def known(key: str) -> bool:
    return key in catalog()


def translate(key: str, lang: str, **values: object) -> str:
    """The message `key` in `lang` (French if unknown), with its placeholders filled; the plural
    form follows the value `n` when the message has plural forms. An unknown key is shown as it
    is (the tests check that every key the templates use exists)."""
    return catalogs.translate(catalog(), key, lang, **values)
