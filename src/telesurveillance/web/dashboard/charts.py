"""The chart data of one measurement kind, as `static/dashboard/charts.js` draws it: the title
and unit in the reader's language (units as people write them: mmHg, not mm[Hg]; none for a
score), the alert thresholds in words, and a hole in the line over each gap
(`domain.measures.gaps`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telesurveillance.domain.measures import drawn, gaps
from telesurveillance.domain.measures import table as measures
from telesurveillance.web.i18n import formats, messages

_COMPARE = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}


def unit(kind: measures.Kind, lang: str) -> str:
    """The unit as written on a chart, or "" for a kind without one (scores)."""
    key = f"unit.{kind.name}"
    return messages.translate(key, lang) if messages.known(key) else ""


def label(kind: measures.Kind, lang: str) -> str:
    return messages.translate(f"measure.{kind.name}", lang)


def _threshold(limit: dict[str, Any], shown_unit: str, lang: str) -> dict[str, Any]:
    value = formats.number(limit["value"], lang, 1) + (f" {shown_unit}" if shown_unit else "")
    severity = messages.translate(f"severity.{limit['severity']}", lang)
    text = messages.translate(
        "charts.threshold", lang, compare=_COMPARE.get(limit.get("compare", ""), ""), value=value
    )
    return {
        "value": limit["value"],
        "severity": limit["severity"],
        "label": f"{text} ({messages.translate('charts.severity', lang, severity=severity)})",
    }


def series(
    kind: measures.Kind,
    instants: Sequence[int],
    values: Sequence[float],
    thresholds: Sequence[dict[str, Any]],
    lang: str,
) -> dict[str, Any]:
    """One chart: x in seconds (uPlot's time unit), y with None where the line breaks; a long
    series thinned to each stretch's extremes (`domain.measures.drawn`), said in `drawn` (None
    when every reading is drawn), and `readings`, the count of readings in the window."""
    xs, ys = gaps.with_gaps(instants, values)
    stretch = drawn.stretch_ms(xs, ys)
    if stretch is not None:
        xs, ys = drawn.thinned(xs, ys)
    shown_unit = unit(kind, lang)
    return {
        "kind": kind.name,
        "label": label(kind, lang),
        "unit": shown_unit,
        "x": [t / 1000 for t in xs],
        "y": ys,
        "thresholds": [_threshold(t, shown_unit, lang) for t in thresholds],
        "readings": len(instants),
        "drawn": None if stretch is None else _drawn(len(instants), stretch, lang),
    }


def _drawn(readings: int, stretch_ms: int, lang: str) -> str:
    minutes = max(1, round(stretch_ms / 60_000))
    return messages.translate(
        "charts.thinned", lang, n=formats.number(readings, lang, 0), minutes=minutes
    )
