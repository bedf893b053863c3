"""The notes of a ledger line: the verdict's points to review, stored with their typed facts.

A line's `notes` column is a JSON list, one object per note: `{"rule", "detail", "facts"}`.
`rule` and `detail` are what lines always held (the machine format); `facts` holds the values
the note was judged on (days, thresholds, dates…), typed, so that `billing.explain` can word
the note in French or English long after the run, exactly as it did for the verdict. Numbers
that are not integers are written `{"decimal": "15.0"}` and days `{"date": "2024-06-03"}`.
Lines written before the facts were kept have no `facts` key: `read` marks them (`legacy`),
and they are shown with the rule's own wording and their detail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from telesurveillance.domain.billing import verdict
from telesurveillance.domain.regulation import store


def encode(notes: Sequence[verdict.Reason]) -> str:
    """The JSON stored in a line's `notes` column."""
    return json.dumps(
        [
            {"rule": n.rule, "detail": n.detail, "facts": {k: _fact(v) for k, v in n.facts}}
            for n in notes
        ],
        ensure_ascii=False,
    )


def _fact(value: verdict.Fact) -> object:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _typed(name: str, value: Any) -> verdict.Fact:
    if isinstance(value, dict) and set(value) == {"decimal"}:
        return Decimal(value["decimal"])
    if isinstance(value, dict) and set(value) == {"date"}:
        return dt.date.fromisoformat(value["date"])
    if value is None or isinstance(value, str) or type(value) is int:
        return value
    raise ValueError(f"note fact {name!r}: unexpected value {value!r}")


@dataclass(frozen=True, slots=True)
class Read:
    """A stored note as a verdict `Reason` (wording and texts read from the regulation data
    in force on `day`), and whether it was stored without its facts."""

    reason: verdict.Reason
    legacy: bool


def read(regulation: store.Regulation, stored: str, day: dt.date) -> tuple[Read, ...]:
    """The notes of a line judged for the period starting on `day`."""
    out = []
    for note in json.loads(stored):
        rule = note["rule"]
        facts = note.get("facts")
        typed = () if facts is None else tuple(sorted((k, _typed(k, v)) for k, v in facts.items()))
        try:
            dated = regulation.rule_text(rule, day)
        except KeyError:  # a rule since removed from the data: keep its id
            reason = verdict.Reason(rule, rule, rule, (), note.get("detail"), typed)
        else:
            reason = verdict.Reason(
                rule,
                dated.value.texte,
                dated.value.text_en,
                dated.cite,
                note.get("detail"),
                typed,
            )
        out.append(Read(reason, facts is None))
    return tuple(out)
