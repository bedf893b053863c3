"""The whole regulation: every timeline of the catalogue, loaded and checked together."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, TypeVar

from telesurveillance.domain.regulation import catalogue, loader, records, timeline

T = TypeVar("T")


class Regulation:
    """All regulatory parameters; `get(name, type)` gives a typed timeline."""

    def __init__(self, timelines: Mapping[str, timeline.Timeline[Any]]) -> None:
        self._timelines = dict(timelines)
        #: (name, type) pairs already checked: the engine asks for the same few on every period.
        self._checked: dict[tuple[str, Any], timeline.Timeline[Any]] = {}

    def get(self, name: str, tp: type[T]) -> timeline.Timeline[T]:
        """The timeline of `name`, checked to hold values of type `tp`."""
        checked: timeline.Timeline[T] | None = self._checked.get((name, tp))
        if checked is not None:
            return checked
        entry = catalogue.CATALOGUE.get(name)
        if entry is None:
            raise KeyError(f"unknown regulatory parameter {name!r}")
        expected = entry.python_type
        if expected != tp and not (isinstance(expected, type) and issubclass(expected, tp)):
            raise TypeError(f"{name} holds {expected!r}, not {tp!r}")
        found: timeline.Timeline[T] = self._timelines[name]
        self._checked[(name, tp)] = found
        return found

    def any(self, name: str) -> timeline.Timeline[Any]:
        """The timeline of `name`, untyped (for display and checks)."""
        return self._timelines[name]

    def common_law_start(self) -> dt.date:
        """The first day any parameter is in force: the start of the LATM common law (1 July
        2023 in the packaged data). Before it no LATM rule applies, so no reading of a prise en
        charge can be older (`domain.measures.instants`)."""
        return min(t.entries[0].since for t in self if t.entries)

    def names(self) -> list[str]:
        return sorted(self._timelines)

    def __iter__(self) -> Iterator[timeline.Timeline[Any]]:
        return (self._timelines[n] for n in self.names())

    # Typed shortcuts for the parameters the engine reads most.
    def indication(
        self, code: catalogue.Indication, part: str, tp: type[T]
    ) -> timeline.Timeline[T]:
        return self.get(f"indications.{code.value}.{part}", tp)

    def rule_text(self, rule: str, day: dt.date) -> timeline.Dated[records.RuleText]:
        return self.get(f"regles.{rule}", records.RuleText).at_or_first(day)


def from_texts(texts: Mapping[str, str]) -> Regulation:
    """Load every parameter from `{relative path: YAML text}`; refuses unknown and missing files."""
    by_name = {catalogue.name_of(path): text for path, text in texts.items()}
    if unknown := sorted(set(by_name) - set(catalogue.CATALOGUE)):
        raise loader.RegulationError(f"data file(s) not in the catalogue: {unknown}")
    if missing := sorted(set(catalogue.CATALOGUE) - set(by_name)):
        raise loader.RegulationError(f"catalogue parameter(s) with no data file: {missing}")
    timelines = {
        name: loader.load_timeline(name, by_name[name], entry.type_name, entry.python_type)
        for name, entry in catalogue.CATALOGUE.items()
    }
    return Regulation(timelines)


def packaged_texts() -> dict[str, str]:
    """The YAML files shipped in the package, by path relative to `data/`."""
    root = resources.files("telesurveillance.domain.regulation").joinpath("data")
    texts: dict[str, str] = {}

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".yaml"):
                texts[f"{prefix}{child.name}"] = child.read_text(encoding="utf-8")

    walk(root, "")
    return texts


@functools.cache
def packaged() -> Regulation:
    """The regulation shipped with this version of the platform (loaded once per process)."""
    return from_texts(packaged_texts())
