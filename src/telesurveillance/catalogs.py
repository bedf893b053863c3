"""Message catalogues in YAML, French and English side by side: the one loader of the web pages
(`web/i18n/catalog/`) and of the command line (`cli/catalog/`).

Each key maps to its French and English text, with `{name}` placeholders; a message that
depends on a count gives its plural forms by CLDR category (`{one: "{n} jour", other: "{n}
jours"}`), chosen by Babel's plural rules for the language (in French 0 and 1 are singular, in
English only 1).

The loader is strict: a key defined twice (in one file or across files), a language missing, a
placeholder present in one language and not the other, or a plural message without its `other`
form refuses the whole catalogue, so a mistake is found by the test suite, not by a user.

It sits beside the layers (neither web nor cli: both read it, and they may not import each
other).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from babel import Locale

_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(_LOCALES.get(lang, _LOCALES["fr"]))


LANGUAGES = ("fr", "en")
#: The CLDR plural categories a message may give (French and English use `one` and `other`;
#: `many` is French's for large round numbers like "1 000 000 de jours").
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")


class CatalogError(ValueError):
    """The message catalogue is malformed (`where` names the file and key)."""


@dataclass(frozen=True, slots=True)
class Message:
    """One message: per language, a text, or its plural forms by CLDR category."""

    key: str
    texts: Mapping[str, str | Mapping[str, str]]

    def text(self, lang: str, count: object | None) -> str:
        found = self.texts.get(lang, self.texts["fr"])
        if isinstance(found, str):
            return found
        if isinstance(count, int | float):
            form = _locale(lang).plural_form(abs(count))
            return found.get(form, found["other"])
        return found["other"]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _texts(value: Any, where: str) -> dict[str, str | Mapping[str, str]]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise CatalogError(f"{where}: give exactly the languages {', '.join(LANGUAGES)}")
    found: dict[str, str | Mapping[str, str]] = {}
    names: set[frozenset[str]] = set()
    for lang, text in value.items():
        if isinstance(text, str):
            if not text.strip():
                raise CatalogError(f"{where}.{lang}: empty text")
            found[lang] = text
            names.add(frozenset(_placeholders(text)))
            continue
        if not isinstance(text, dict) or "other" not in text or set(text) - set(PLURAL_FORMS):
            raise CatalogError(f"{where}.{lang}: a text, or plural forms with `other`")
        if not all(isinstance(t, str) and t.strip() for t in text.values()):
            raise CatalogError(f"{where}.{lang}: every plural form must be a text")
        found[lang] = dict(text)
        names.add(frozenset(_placeholders(text["other"])))
    if len(names) > 1:
        raise CatalogError(f"{where}: the languages do not use the same placeholders")
    return found


class _UniqueKeys(yaml.SafeLoader):
    """A YAML loader refusing a key given twice in one mapping (PyYAML keeps the last)."""


def _mapping(loader: _UniqueKeys, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise CatalogError(f"line {key_node.start_mark.line + 1}: {key!r} is given twice")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse(files: Mapping[str, str]) -> dict[str, Message]:
    """The catalogue of YAML texts by file name; CatalogError on any mistake."""
    found: dict[str, Message] = {}
    for name, text in sorted(files.items()):
        try:
            raw = yaml.load(text, Loader=_UniqueKeys)
        except CatalogError as error:
            raise CatalogError(f"{name}: {error}") from None
        if not isinstance(raw, dict):
            raise CatalogError(f"{name}: a mapping of message keys")
        for key, value in raw.items():
            where = f"{name}: {key}"
            if not isinstance(key, str) or not key:
                raise CatalogError(f"{where}: a key is a non-empty string")
            if key in found:
                raise CatalogError(f"{where}: defined in another file too")
            found[key] = Message(key, _texts(value, where))
    return found


def load(package: str, folder: str = "catalog") -> dict[str, Message]:
    """The catalogue of every `*.yaml` file in `folder` of `package` (CatalogError on any
    mistake)."""
    where = resources.files(package).joinpath(folder)
    files = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in where.iterdir()
        if entry.name.endswith(".yaml")
    }
    return parse(files)


def translate(found: Mapping[str, Message], key: str, lang: str, /, **values: object) -> str:
    """The message `key` of a catalogue in `lang` (French if unknown), with its placeholders
    filled; the plural form follows the value `n`. An unknown key is returned as it is (tests
    check that every key used exists)."""
    message = found.get(key)
    if message is None:
        return key
    text = message.text(lang if lang in LANGUAGES else "fr", values.get("n"))
    return text.format(**values) if values else text
