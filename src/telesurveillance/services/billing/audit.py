"""Indu-risk audit: re-judge every standing charge against today's data and rules.

An amount paid that was not due is recovered by the Assurance Maladie (indu, art. L. 133-4 CSS).
The audit lists each standing charge the engine would no longer bill today — data deleted, death
date or certificate corrected, prescription changed — with the amount at risk and the reasons, and
each charge whose amount would now differ.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from telesurveillance.domain.billing import engine, explain, verdict
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import corrections, ledger, run

#: The reason written on the reversals the audit enters (`reverse_not_due`).
REVERSAL_REASON = "audit: no longer due"


class Risk(StrEnum):
    NOT_DUE = "not_due"
    AMOUNT_CHANGED = "amount_changed"


@dataclass(frozen=True, slots=True)
class Why:
    rule: str
    text: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    line: ledger.Line
    risk: Risk
    #: what would be billed today (cents); None when not due or no encoded amount
    due_cents: int | None
    #: billed minus due, when positive (what could be recovered)
    at_risk_cents: int
    reasons: tuple[Why, ...]
    #: the period as judged today, when the engine still lists it (for `explanation`)
    today: verdict.PeriodVerdict | None = None


def explanation(
    finding: Finding, lang: explain.Lang = explain.Lang.FR
) -> explain.Explanation | None:
    """Why the line is at risk, in words: the explanation of its period as judged today (the
    deciding sentences of a period no longer due, the amounts of one now due differently)."""
    return None if finding.today is None else explain.period(finding.today, lang)


def audit(
    regulation: store.Regulation,
    streams: Iterable[ledger.Stream],
    lines: Iterable[ledger.Line],
    today: dt.date,
) -> list[Finding]:
    """Findings in ledger order; `streams` must be read with today's data (`until = today`)."""
    standing = ledger.active_charges(lines)
    by_pec: dict[int, list[ledger.Line]] = {}
    for ln in standing.values():
        by_pec.setdefault(ln.prise_en_charge_id, []).append(ln)
    findings: list[Finding] = []
    seen: set[int] = set()
    for stream in streams:
        billed = by_pec.get(stream.prise_en_charge_id)
        if not billed:
            continue
        seen.add(stream.prise_en_charge_id)
        judged = engine.judge(regulation, stream.situation, today)
        periods = {p.number: p for p in judged.periods}
        findings.extend(f for ln in billed if (f := _check(ln, periods)) is not None)
    for pec_id, billed in by_pec.items():
        if pec_id not in seen:
            why = Why("prise_en_charge.missing", "La prise en charge n'est plus enregistrée.")
            findings.extend(_not_due(ln, (why,)) for ln in billed)
    return sorted(findings, key=lambda f: f.line.id or 0)


def _not_due(ln: ledger.Line, reasons: tuple[Why, ...]) -> Finding:
    return Finding(ln, Risk.NOT_DUE, None, max(ln.amount_cents or 0, 0), reasons)


def _check(ln: ledger.Line, periods: dict[int, verdict.PeriodVerdict]) -> Finding | None:
    period = periods.get(ln.period_number)
    if period is None:
        last = periods[max(periods)] if periods else None
        detail = None if last is None else f"listing ends at period {last.number}"
        listed = [Why("period.not_listed", "La période n'est plus à facturer.", detail)]
        if last is not None:
            listed.extend(Why(r.rule, r.text, r.detail) for r in last.reasons)
        return _not_due(ln, tuple(listed))
    if not period.billable:
        found = _not_due(ln, tuple(Why(r.rule, r.text, r.detail) for r in period.reasons))
        return dataclasses.replace(found, today=period)
    today_line = period.line(ln.forfait)
    due = run.cents(today_line.amount) if today_line is not None else None
    if due == ln.amount_cents:
        return None
    why = Why(
        "amount.changed",
        "Le montant dû aujourd'hui diffère du montant facturé.",
        f"billed {ln.amount_cents} cents, due {due} cents",
    )
    at_risk = max((ln.amount_cents or 0) - (due or 0), 0)
    return Finding(ln, Risk.AMOUNT_CHANGED, due, at_risk, (why,), period)


def run_audit(
    store_: ledger.Ledger,
    regulation: store.Regulation,
    today: dt.date,
    operateur_id: int | None = None,
) -> list[Finding]:
    """The audit over the store: today's streams against the standing charges."""
    return audit(
        regulation,
        store_.streams(today, operateur_id),
        store_.lines(operateur_id=operateur_id),
        today,
    )


def reverse_not_due(
    store_: ledger.Ledger, findings: Iterable[Finding], *, actor: str, now: dt.datetime
) -> tuple[ledger.Line, ...]:
    """Enter a reversal for every finding no longer due at all (`Risk.NOT_DUE`); a charge whose
    amount merely changed is left for a person to judge. Returns the reversal lines written."""
    ids = [f.line.id for f in findings if f.risk is Risk.NOT_DUE and f.line.id is not None]
    return corrections.reverse(store_, ids, REVERSAL_REASON, actor=actor, now=now)
