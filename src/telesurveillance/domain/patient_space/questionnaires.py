"""The symptom questionnaires of the patient's page (`data/questionnaires.yaml`) and their
scoring. The loader is strict: unknown keys, an unknown scale or scoring, an uncited
questionnaire or a duplicate id are refused with the questionnaire named.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

import yaml


class Scoring(StrEnum):
    SUM = "sum"
    """The points of the answers added (a count of symptoms present)."""
    MAX = "max"
    """The highest points given (the worst grade reported)."""


class QuestionnaireError(ValueError):
    """A questionnaire file we refuse, or answers that do not fit a questionnaire."""

    def __init__(self, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.item = item


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    points: int


@dataclass(frozen=True, slots=True)
class Questionnaire:
    id: str
    scoring: Scoring
    scale: str
    answers: tuple[Answer, ...]
    items: tuple[str, ...]
    source_title: str
    source_url: str

    def score(self, given: Mapping[str, str]) -> int:
        """The total of `given` (item → answer id): every item answered with one of the
        scale's answers, else `QuestionnaireError` naming the first item at fault."""
        points = {a.id: a.points for a in self.answers}
        found: list[int] = []
        for item in self.items:
            answer = given.get(item)
            if answer is None or answer == "":
                raise QuestionnaireError(f"item {item!r} is not answered", item)
            if answer not in points:
                raise QuestionnaireError(f"{answer!r} is not an answer to {item!r}", item)
            found.append(points[answer])
        if self.scoring is Scoring.SUM:
            return sum(found)
        return max(found)


_TOP = {"scales", "questionnaires"}
_KEYS = {"id", "scoring", "scale", "items", "source"}


def _answers(raw: Any, name: str) -> tuple[Answer, ...]:
    if not isinstance(raw, list) or not raw:
        raise QuestionnaireError(f"scale {name}: expected a list of answers")
    out = []
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) != {"id", "points"}:
            raise QuestionnaireError(f"scale {name}: each answer has an id and points only")
        if not isinstance(entry["points"], int) or isinstance(entry["points"], bool):
            raise QuestionnaireError(f"scale {name}: points must be integers")
        out.append(Answer(str(entry["id"]), entry["points"]))
    if len({a.id for a in out}) != len(out):
        raise QuestionnaireError(f"scale {name}: duplicate answer id")
    return tuple(out)


def _questionnaire(raw: Any, scales: Mapping[str, tuple[Answer, ...]]) -> Questionnaire:
    if not isinstance(raw, dict) or "id" not in raw:
        raise QuestionnaireError("each questionnaire needs an id")
    name = str(raw["id"])
    unknown = set(raw) - _KEYS
    if unknown:
        raise QuestionnaireError(f"questionnaire {name}: unknown keys {sorted(unknown)}")
    try:
        scoring = Scoring(str(raw.get("scoring")))
    except ValueError:
        raise QuestionnaireError(f"questionnaire {name}: scoring is sum or max") from None
    scale = str(raw.get("scale"))
    if scale not in scales:
        raise QuestionnaireError(f"questionnaire {name}: unknown scale {scale!r}")
    items = raw.get("items")
    if not isinstance(items, list) or not items or len(set(items)) != len(items):
        raise QuestionnaireError(f"questionnaire {name}: items must be distinct names")
    source = raw.get("source")
    if not isinstance(source, dict) or not source.get("title") or not source.get("url"):
        raise QuestionnaireError(f"questionnaire {name}: a source (title and url) is required")
    return Questionnaire(
        name, scoring, scale, scales[scale], tuple(str(i) for i in items),
        str(source["title"]), str(source["url"]),
    )  # fmt: skip


def parse(text: str) -> dict[str, Questionnaire]:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) != _TOP:
        raise QuestionnaireError("expected the keys 'scales' and 'questionnaires'")
    scales = {str(k): _answers(v, str(k)) for k, v in (data["scales"] or {}).items()}
    found: dict[str, Questionnaire] = {}
    for raw in data["questionnaires"] or []:
        questionnaire = _questionnaire(raw, scales)
        if questionnaire.id in found:
            raise QuestionnaireError(f"questionnaire {questionnaire.id}: duplicate id")
        found[questionnaire.id] = questionnaire
    return found


@functools.cache
def packaged() -> Mapping[str, Questionnaire]:
    path = resources.files(__package__).joinpath("data/questionnaires.yaml")
    return parse(path.read_text(encoding="utf-8"))


def for_rules(names: Sequence[str | None]) -> list[Questionnaire]:
    """The questionnaires the given alert rules name (in order, once each, known ones)."""
    known = packaged()
    out: list[Questionnaire] = []
    for name in names:
        if name is not None and name in known and known[name] not in out:
            out.append(known[name])
    return out
