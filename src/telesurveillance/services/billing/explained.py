"""Ledger lines explained: the period's verdict rebuilt from what the lines stored, in words.

A run appends, per billed period, one line per forfait with the counts, the amounts, the basis
(parameters read, by name and first day) and the notes with their typed facts. That is enough
to rebuild the billable period's verdict — lines, notes, basis with its citations, and the
observance threshold (share in force on the period's first day × expected days) — and hand it
to `billing.explain`, so `billing lines --explain`, the exports and the dashboard give the same
sentences as `billing case --explain`, about what was billed and why, not about today's data
(the audit judges today's).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from telesurveillance.domain.billing import explain, verdict
from telesurveillance.domain.regulation import catalogue, citation, records, store
from telesurveillance.services.billing import basis as billing_basis
from telesurveillance.services.billing import ledger, notes

Lang = explain.Lang
#: One judged period of one run: (prise en charge, period number, run).
Key = tuple[int, int, int | None]


@dataclass(frozen=True, slots=True)
class Explained:
    """The explanation of one billed period and the ledger lines it covers."""

    prise_en_charge_id: int
    patient_id: int
    indication: str
    #: the indication as the listing names it, in the explanation's language
    label: str
    line_ids: tuple[int, ...]
    explanation: explain.Explanation


def key(ln: ledger.Line) -> Key:
    return (ln.prise_en_charge_id, ln.period_number, ln.run_id)


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def _line(regulation: store.Regulation, ln: ledger.Line) -> verdict.Line:
    return verdict.Line(
        forfait=ln.forfait,
        execution_date=ln.period_start,
        amount=_money(ln.amount_cents),
        amo=_money(ln.amo_cents),
        rest=_money(ln.amc_cents),
        code=ln.code,
        coefficient=None if ln.coefficient is None else Decimal(ln.coefficient),
        basis=_basis(regulation, ln),
    )


def _basis(regulation: store.Regulation, ln: ledger.Line) -> tuple[verdict.Basis, ...]:
    return _cited(regulation, ln.basis)


@functools.lru_cache(maxsize=1024)
def _cited(regulation: store.Regulation, stored: str) -> tuple[verdict.Basis, ...]:
    """A line's stored basis with its citations (lines share a few distinct bases)."""
    return tuple(
        verdict.Basis(c.parameter, c.since, c.cite) for c in billing_basis.cites(regulation, stored)
    )


def _minimum(regulation: store.Regulation, day: dt.date, expected: int) -> Decimal | None:
    """The threshold the period was judged on: the share in force on its first day."""
    share = regulation.get("observance.seuil_insuffisance", Decimal).get(day)
    return None if share is None else share.value * expected


def period_verdict(
    regulation: store.Regulation, lines: Sequence[ledger.Line]
) -> tuple[verdict.PeriodVerdict, tuple[notes.Read, ...]]:
    """The billable verdict of one period rebuilt from its charge lines of one run (both
    forfaits, or the one given), with its notes as read back."""
    if not lines:
        raise ValueError("no line to explain")
    first = lines[0]
    if any(key(ln) != key(first) for ln in lines):
        raise ValueError("lines of different periods or runs")
    found = notes.read(regulation, first.notes, first.period_start)
    built = tuple(_line(regulation, ln) for ln in sorted(lines, key=lambda x: x.forfait.value))
    basis = {b.parameter: b for ln in built for b in ln.basis}
    judged = verdict.PeriodVerdict(
        number=first.period_number,
        start=first.period_start,
        last_day=first.period_last_day,
        days_with_data=first.days_with_data,
        expected_days=first.expected_days,
        billable=True,
        lines=built,
        reasons=(),
        notes=tuple(n.reason for n in found),
        basis=tuple(basis[k] for k in sorted(basis)),
        minimum_days=_minimum(regulation, first.period_start, first.expected_days),
    )
    return judged, found


def explanation(
    regulation: store.Regulation, lines: Sequence[ledger.Line], lang: Lang = Lang.FR
) -> explain.Explanation:
    """The explanation of one period billed by one run (`period_verdict`), in `lang`. Notes
    stored before their facts were kept read as the rule's wording with their detail."""
    judged, found = period_verdict(regulation, lines)
    if not any(n.legacy for n in found):
        return explain.period(judged, lang)
    worded = dataclasses.replace(judged, notes=tuple(n.reason for n in found if not n.legacy))
    done = explain.period(worded, lang)
    legacy = tuple(_legacy(n.reason, lang) for n in found if n.legacy)
    return dataclasses.replace(
        done, notes=done.notes + legacy, sources=explain.sources(_citations(judged), lang)
    )


def _legacy(reason: verdict.Reason, lang: Lang) -> str:
    text = reason.text if lang is Lang.FR else reason.text_en
    return f"{text} ({reason.detail})" if reason.detail else text


def _citations(p: verdict.PeriodVerdict) -> Iterable[citation.Citation]:
    for note in p.notes:
        yield from note.cite
    for b in p.basis:
        yield from b.cite


def charges(
    regulation: store.Regulation, lines: Iterable[ledger.Line], lang: Lang = Lang.FR
) -> list[Explained]:
    """Every charge among `lines`, grouped by period and run, explained (in ledger order)."""
    grouped: dict[Key, list[ledger.Line]] = defaultdict(list)
    for ln in lines:
        if ln.entry is ledger.Entry.CHARGE:
            grouped[key(ln)].append(ln)
    out = []
    for group in sorted(grouped.values(), key=lambda g: min(ln.id or 0 for ln in g)):
        first = group[0]
        out.append(
            Explained(
                prise_en_charge_id=first.prise_en_charge_id,
                patient_id=first.patient_id,
                indication=first.indication,
                label=_label(regulation, first, lang),
                line_ids=tuple(sorted(ln.id or 0 for ln in group)),
                explanation=explanation(regulation, group, lang),
            )
        )
    return out


def _label(regulation: store.Regulation, ln: ledger.Line, lang: Lang) -> str:
    try:
        indication = catalogue.Indication(ln.indication)
    except ValueError:
        return ln.indication
    found = regulation.indication(indication, "inscription", records.Inscription)
    dated = found.get(ln.period_start) or found.at_or_first(ln.period_start)
    return dated.value.libelle if lang is Lang.FR else dated.value.libelle_en


class Summaries:
    """`summary` of each period of one file, worked out once per distinct case: the summary
    reads only the counts, the threshold, the notes' facts and which values are to confirm,
    so periods alike (most of a file) share it."""

    def __init__(self, regulation: store.Regulation, lang: Lang = Lang.FR) -> None:
        self.regulation = regulation
        self.lang = lang
        self._memo: dict[tuple[object, ...], str] = {}

    def of(self, lines: Sequence[ledger.Line]) -> str:
        ordered = sorted(lines, key=lambda ln: ln.forfait.value)
        first = ordered[0]
        # Notes stored without their facts are worded from the rule text of their day.
        legacy = first.notes != "[]" and '"facts"' not in first.notes
        memo_key = (
            tuple(ln.basis for ln in ordered),
            first.notes,
            first.days_with_data,
            first.expected_days,
            _minimum(self.regulation, first.period_start, first.expected_days),
            first.period_start if legacy else None,
        )
        found = self._memo.get(memo_key)
        if found is None:
            found = summary(explanation(self.regulation, ordered, self.lang))
            self._memo[memo_key] = found
        return found


def summary(found: explain.Explanation) -> str:
    """One line for a file's cell: the deciding sentence, the points to review, what remains
    to confirm (the texts are in the `basis` column)."""
    review = "À revoir" if found.lang is Lang.FR else "To review"
    parts = [*found.decision]
    parts.extend(
        f"{review} : {n}" if found.lang is Lang.FR else f"{review}: {n}" for n in found.notes
    )
    if found.to_confirm:
        parts.append(found.to_confirm)
    return " | ".join(parts)
