"""Judgements as JSON-ready dicts: the case runner's output format, reused by the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from telesurveillance.domain import money
from telesurveillance.domain.billing import verdict
from telesurveillance.domain.regulation import citation


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else money.text(value)


def _coefficient(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f")


def cite_text(cites: tuple[citation.Citation, ...]) -> str:
    return "; ".join(c.short() for c in cites)


def citation_dict(c: citation.Citation) -> dict[str, Any]:
    out: dict[str, Any] = {"title": c.title, "status": c.status.value}
    for key in ("ref", "url", "seed", "quote"):
        if (value := getattr(c, key)) is not None:
            out[key] = value
    return out


def reason(r: verdict.Reason) -> dict[str, Any]:
    out: dict[str, Any] = {"rule": r.rule, "text": r.text, "text_en": r.text_en}
    if r.detail:
        out["detail"] = r.detail
    out["cite"] = cite_text(r.cite)
    return out


def basis(b: verdict.Basis) -> dict[str, Any]:
    return {"parameter": b.parameter, "since": b.since.isoformat(), "cite": cite_text(b.cite)}


def line(ln: verdict.Line) -> dict[str, Any]:
    out: dict[str, Any] = {"forfait": ln.forfait.value}
    if ln.forfait is verdict.Forfait.OPERATEUR:
        out["code"] = ln.code
        out["coefficient"] = _coefficient(ln.coefficient)
    elif ln.code is not None:
        out["latm_code"] = ln.code
    out["amount"] = _amount(ln.amount)
    out["amo"] = _amount(ln.amo)
    out["rest"] = _amount(ln.rest)
    out["execution_date"] = ln.execution_date.isoformat()
    return out


def period(p: verdict.PeriodVerdict) -> dict[str, Any]:
    return {
        "number": p.number,
        "start": p.start.isoformat(),
        "last_day": p.last_day.isoformat(),
        "days_with_data": p.days_with_data,
        "expected_days": p.expected_days,
        "billable": p.billable,
        "lines": [line(ln) for ln in p.lines],
        "reasons": [reason(r) for r in p.reasons],
        "notes": [reason(r) for r in p.notes],
        "basis": [basis(b) for b in p.basis],
    }


def judgement(name: str, j: verdict.Judgement) -> dict[str, Any]:
    return {
        "name": name,
        "as_of": j.as_of.isoformat(),
        "periods": [period(p) for p in j.periods],
        "series": [list(s.periods) for s in j.series],
        "paper_sheets": [[list(sheet) for sheet in s.paper_sheets] for s in j.series],
    }
