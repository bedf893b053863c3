"""Load the rule sets: one YAML file per indication under `data/`, versioned with the code.

The loader is strict: unknown keys, unknown measurements (by name, from
`domain/measures/measurements.yaml`), a rule kind missing its parameters, duplicate rule ids and
uncited defaults are refused with the file and rule named.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from telesurveillance.domain.alerts import rules
from telesurveillance.domain.measures import table as measures

REVIEW = "to be reviewed by the team"

_RULE_KEYS = {
    "id", "label", "kind", "measure", "severity", "source", "clinical_default", "threshold",
    "compare", "direction", "window_hours", "paris_days", "count", "min_share", "min_readings",
    "hours", "expected_rhythm", "questionnaire",
}  # fmt: skip
_NEEDS: dict[rules.RuleKind, tuple[str, ...]] = {
    rules.RuleKind.THRESHOLD: ("measure", "threshold", "compare"),
    rules.RuleKind.SCORE: ("measure", "threshold", "compare", "questionnaire"),
    rules.RuleKind.CHANGE: ("measure", "threshold", "direction", "window_hours"),
    rules.RuleKind.COUNT: ("measure", "threshold", "compare"),
    rules.RuleKind.NO_DATA: ("hours", "expected_rhythm"),
}


class RuleError(ValueError):
    """A rule file we refuse."""


@dataclass(frozen=True)
class RuleSets:
    """Every indication's rules; `by_id` finds a rule whatever its indication."""

    by_indication: Mapping[str, tuple[rules.Rule, ...]]

    @functools.cached_property
    def by_id(self) -> dict[str, rules.Rule]:
        return {r.id: r for rs in self.by_indication.values() for r in rs}

    def for_indications(self, indications: Iterable[str]) -> tuple[rules.Rule, ...]:
        seen: dict[str, rules.Rule] = {}
        for indication in sorted(set(indications)):
            for rule in self.by_indication.get(indication, ()):
                seen.setdefault(rule.id, rule)
        return tuple(seen.values())


def _source(raw: dict[str, Any], where: str) -> rules.Source:
    cited = raw.get("source")
    default = raw.get("clinical_default")
    if cited is None and default is None:
        raise RuleError(f"{where}: cite a `source` (title + url) or mark `clinical_default`")
    if cited is not None:
        if not isinstance(cited, dict) or not cited.get("title") or not cited.get("url"):
            raise RuleError(f"{where}: `source` needs a title and a url")
        if set(cited) - {"title", "url"}:
            raise RuleError(
                f"{where}: unknown keys in source: {sorted(set(cited) - {'title', 'url'})}"
            )
    if default is not None and REVIEW not in str(default):
        raise RuleError(f"{where}: clinical_default must say {REVIEW!r}")
    return rules.Source(
        title=None if cited is None else str(cited["title"]),
        url=None if cited is None else str(cited["url"]),
        clinical_default=None if default is None else str(default),
    )


def _rule(raw: dict[str, Any], indication: str, table: measures.Table, where: str) -> rules.Rule:
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    kind = rules.RuleKind(raw["kind"])
    missing = [k for k in _NEEDS[kind] if k not in raw]
    if kind is rules.RuleKind.COUNT:
        if "count" not in raw and "min_share" not in raw:
            missing.append("count or min_share")
        if "window_hours" not in raw and "paris_days" not in raw:
            missing.append("window_hours or paris_days")
    if missing:
        raise RuleError(f"{where}: a {kind.value} rule needs {missing}")
    measure = raw.get("measure")
    try:
        kind_id = None if measure in (None, "any") else table.by_name(str(measure)).id
    except KeyError:
        raise RuleError(f"{where}: unknown measurement {measure!r}") from None

    def number(key: str) -> float | None:
        return None if raw.get(key) is None else float(raw[key])

    def integer(key: str) -> int | None:
        return None if raw.get(key) is None else int(raw[key])

    return rules.Rule(
        id=str(raw["id"]),
        indication=indication,
        label=str(raw["label"]),
        kind=kind,
        measure=None if measure in (None, "any") else str(measure),
        kind_id=kind_id,
        severity=rules.Severity(raw["severity"]),
        source=_source(raw, where),
        threshold=float(raw.get("threshold", 0.0)),
        compare=rules.Compare(raw.get("compare", "ge")),
        direction=rules.Direction(raw.get("direction", "rise")),
        window_hours=number("window_hours"),
        paris_days=integer("paris_days"),
        count=integer("count"),
        min_share=number("min_share"),
        min_readings=int(raw.get("min_readings", 1)),
        hours=number("hours"),
        expected_rhythm=raw.get("expected_rhythm"),
        questionnaire=raw.get("questionnaire"),
    )


def parse(texts: Mapping[str, str], table: measures.Table) -> RuleSets:
    """Rule sets from `{file name: YAML text}`; each file names its indication."""
    by_indication: dict[str, tuple[rules.Rule, ...]] = {}
    ids: set[str] = set()
    for name, text in sorted(texts.items()):
        raw = yaml.safe_load(text)
        if not isinstance(raw, dict) or set(raw) - {"indication", "version", "rules"}:
            raise RuleError(f"{name}: expected keys indication, version, rules")
        indication = str(raw["indication"])
        parsed = []
        for i, item in enumerate(raw.get("rules") or []):
            where = f"{name} rule {item.get('id', i)!s}"
            rule = _rule(item, indication, table, where)
            if rule.id in ids:
                raise RuleError(f"{where}: duplicate rule id")
            ids.add(rule.id)
            parsed.append(rule)
        by_indication[indication] = tuple(parsed)
    return RuleSets(by_indication)


@functools.cache
def packaged() -> RuleSets:
    """The rule sets shipped with the package (`domain/alerts/data/*.yaml`)."""
    folder = resources.files("telesurveillance.domain.alerts") / "data"
    texts = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }
    return parse(texts, measures.packaged())
