"""The command line's language: French by default, English with `--lang en` (before the
command: `telesurveillance --lang en demo`) or `TELESURVEILLANCE_LANG=en`.

Messages (success lines, refusals, table headers) are keys of `cli/catalog/*.yaml`, read by the
same strict loader as the pages (`telesurveillance.catalogs`). Help texts are written in English
in the code (Typer reads them when the commands are declared) and replaced, when the command
tree is built in `main()`, by their catalogue entry `help.<command path>[.<parameter>]` in the
chosen language. Machine-readable outputs (JSON, CSV, NDJSON) and exit codes never change.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

from babel import numbers

from telesurveillance import catalogs

ENV = "TELESURVEILLANCE_LANG"
LANGUAGES = catalogs.LANGUAGES

#: The language chosen by `--lang` for this invocation (None: the environment decides).
_chosen: list[str | None] = [None]


@functools.cache
def catalog() -> dict[str, catalogs.Message]:
    return catalogs.load(__package__ or "telesurveillance.cli")


def choose(lang: str | None) -> None:
    """Record the `--lang` of this invocation (None: none given)."""
    _chosen[0] = lang if lang in LANGUAGES else None


def lang() -> str:
    """`--lang`, else `TELESURVEILLANCE_LANG`, else French."""
    if _chosen[0] is not None:
        return _chosen[0]
    found = os.environ.get(ENV, "fr").strip().lower()[:2]
    return found if found in LANGUAGES else "fr"


def number(value: float, pattern: str = "#,##0") -> str:
    """`value` written as the invocation's language writes numbers (French: `92 147`, `5,1`)."""
    return numbers.format_decimal(value, format=pattern, locale=lang())


def t(key: str, /, **values: object) -> str:
    """The message `key` in the invocation's language."""
    return catalogs.translate(catalog(), key, lang(), **values)


def from_argv(argv: Sequence[str]) -> str:
    """The language the help is shown in: `--lang X` / `--lang=X` on the command line, else
    `lang()` (read before the parsing, which prints the help)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.removeprefix("--lang=") in LANGUAGES:
            return arg.removeprefix("--lang=")
    return lang()


def localize(command: Any, language: str, path: str = "") -> list[str]:
    """Replace the help texts of `command` and its subcommands by their catalogue entries in
    `language`; the keys without an entry (their English help stays), sorted. (`command` is
    Typer's click command: Typer vendors its own click.)"""
    missing: list[str] = []
    key = "help" + (f".{path}" if path else "")
    found = catalog().get(key)
    if found is not None:
        command.help = found.text(language, None)
        command.short_help = None
    elif command.help:
        missing.append(key)
    for param in command.params:
        if not hasattr(param, "help") or param.name in ("help", None):
            continue
        entry = catalog().get(f"{key}.{param.name}")
        if entry is not None:
            param.help = entry.text(language, None)
        elif param.help:
            missing.append(f"{key}.{param.name}")
    for name, sub in (getattr(command, "commands", None) or {}).items():
        missing += localize(sub, language, f"{path}.{name}" if path else name)
    return sorted(missing)
