"""The billing desk: one opérateur's periods of one month, judged, with their ledger lines and
what happened to them (sent, paid, rejected: who and when), the totals, and the series ready to
send.

A period belongs to the month of its first day (the execution date the billing files print). Each
row is one elapsed period of one prise en charge: billable or not and why (the engine's verdict,
explained on the page), the standing charges the ledger holds for it and their latest status
events. A row also says which identifiers the billing files need and the store lacks (the NIR, the
prescriber's RPPS, the opérateur's FINESS or RPPS), so the desk warns instead of printing blank
columns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from telesurveillance.domain.billing import engine, verdict
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import exploitant, export, ledger
from telesurveillance.services.dashboard import ports

#: Rows per desk page.
PAGE = 50


class State(StrEnum):
    """A line's state on the desk: its latest status event, or not sent yet."""

    UNSENT = "unsent"
    SENT = "sent"
    PAID = "paid"
    REJECTED = "rejected"


class Missing(StrEnum):
    """An identifier the billing files print and the store does not hold."""

    NIR = "nir"
    PRESCRIBER_RPPS = "prescriber_rpps"
    OPERATEUR_ID = "operateur_finess_rpps"


@dataclass(frozen=True, slots=True)
class Filters:
    operateur_id: int | None = None
    month: dt.date | None = None
    state: State | None = None
    indication: str | None = None
    billable: bool | None = None
    reason: str | None = None

    @property
    def any(self) -> bool:
        chosen = (self.state, self.indication, self.billable, self.reason)
        return any(v is not None for v in chosen)


@dataclass(frozen=True, slots=True)
class Held:
    """A standing charge of the ledger and its latest status event (None: not sent)."""

    line: ledger.Line
    event: ledger.Event | None

    @property
    def state(self) -> State:
        return State.UNSENT if self.event is None else State(self.event.status.value)


@dataclass(frozen=True, slots=True)
class Row:
    stream: ledger.Stream
    period: verdict.PeriodVerdict
    held: tuple[Held, ...]
    missing: tuple[Missing, ...]

    @property
    def states(self) -> frozenset[State]:
        return frozenset(h.state for h in self.held)


@dataclass(slots=True)
class Total:
    """The ledger's standing charges of the rows shown, per forfait (amounts in cents)."""

    lines: int = 0
    amount: int = 0
    amo: int = 0
    amc: int = 0
    #: lines with no encoded amount (counted, not summed)
    unpriced: int = 0


@dataclass(frozen=True, slots=True)
class Series:
    """One invoice of the billing files (≤ `series.max_periodes` periods of one patient) whose
    lines are all still to send: what the desk offers to mark sent at once."""

    invoice: str
    forfait: str
    patient_id: int
    line_ids: tuple[int, ...]
    periods: tuple[int, ...]
    amount_cents: int
    missing: tuple[Missing, ...]
    #: lines with no encoded amount (not in `amount_cents`)
    unpriced: int = 0


@dataclass(frozen=True, slots=True)
class Desk:
    filters: Filters
    operateurs: list[tuple[int, str]]
    months: list[dt.date]
    #: the refusals met in the month: rule id → (French text, English text)
    reasons: dict[str, tuple[str, str]]
    rows: list[Row]
    matching: int
    page: int
    pages: int
    totals: dict[str, Total]
    ready: list[Series]
    names: dict[int, tuple[str, str, bool]]
    #: rows of the filtered month lacking each identifier (all pages)
    missing: dict[Missing, int] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return any(n[2] for n in self.names.values())


def missing(facts: ledger.Facts) -> tuple[Missing, ...]:
    """The identifiers the files need and `facts` lack, in the files' column order."""
    out = []
    if not facts.nir:
        out.append(Missing.NIR)
    if not facts.prescriber_rpps:
        out.append(Missing.PRESCRIBER_RPPS)
    if not facts.operateur_finess and not facts.operateur_rpps:
        out.append(Missing.OPERATEUR_ID)
    return tuple(out)


def _matches(row: Row, filters: Filters) -> bool:
    indication = row.stream.situation.prise_en_charge.indication.value
    if filters.indication is not None and indication != filters.indication:
        return False
    if filters.billable is not None and row.period.billable is not filters.billable:
        return False
    if filters.reason is not None and filters.reason not in {r.rule for r in row.period.reasons}:
        return False
    return filters.state is None or filters.state in row.states


def rows_of(
    regulation: store.Regulation,
    streams: Iterable[ledger.Stream],
    lines: Iterable[ledger.Line],
    events: dict[int, ledger.Event],
    today: dt.date,
) -> list[Row]:
    """Every elapsed period of `streams` judged on `today`, with its standing charges."""
    standing: dict[tuple[int, int], list[ledger.Line]] = defaultdict(list)
    for ln in ledger.active_charges(lines).values():
        standing[(ln.prise_en_charge_id, ln.period_number)].append(ln)
    out = []
    for stream in streams:
        lacking = missing(stream.facts)
        for period in engine.judge(regulation, stream.situation, today).periods:
            charges = sorted(
                standing.get((stream.prise_en_charge_id, period.number), []),
                key=lambda ln: ln.forfait.value,
            )
            held = tuple(Held(ln, events.get(ln.id) if ln.id else None) for ln in charges)
            out.append(Row(stream, period, held, lacking))
    return out


def _totals(rows: Iterable[Row]) -> dict[str, Total]:
    totals: dict[str, Total] = {}
    for row in rows:
        for h in row.held:
            total = totals.setdefault(h.line.forfait.value, Total())
            total.lines += 1
            if h.line.amount_cents is None:
                total.unpriced += 1
                continue
            total.amount += h.line.amount_cents
            total.amo += h.line.amo_cents or 0
            total.amc += h.line.amc_cents or 0
    return dict(sorted(totals.items()))


def ready(
    regulation: store.Regulation,
    streams: Sequence[ledger.Stream],
    lines: Sequence[ledger.Line],
    events: dict[int, ledger.Event],
    today: dt.date,
) -> list[Series]:
    """The invoices (both forfaits) whose every line is still to send, in file order."""
    by_pec = {s.prise_en_charge_id: s for s in streams}
    out = []
    for forfait in verdict.Forfait:
        found = export.rows(regulation, streams, lines, forfait, today)
        for invoice, rows in export.invoices(found).items():
            ids = tuple(r.line_id for r in rows)
            if any(i in events for i in ids):
                continue
            stream = by_pec.get(int(invoice.split("-")[0]))
            amount = sum(_cents(r.amount) for r in rows)
            lacking = missing(stream.facts) if stream is not None else ()
            periods = tuple(r.period_number for r in rows)
            unpriced = sum(1 for r in rows if not r.amount)
            patient = rows[0].patient_id
            out.append(
                Series(invoice, forfait.value, patient, ids, periods, amount, lacking, unpriced)
            )
    return out


def _cents(euros: str) -> int:
    if not euros:
        return 0
    sign = -1 if euros.startswith("-") else 1
    whole, _, part = euros.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int(part or 0))


def desk(
    store_: ledger.Ledger,
    directory: ports.Directory,
    regulation: store.Regulation,
    today: dt.date,
    filters: Filters,
    number: int = 1,
) -> Desk:
    """The desk of `filters.operateur_id` (the first opérateur when None) for `filters.month`
    (the latest month with a period when None), page `number` of the matching rows."""
    operateurs = directory.operateurs()
    known = {i for i, _ in operateurs}
    chosen = filters.operateur_id if filters.operateur_id in known else None
    if chosen is None and operateurs:
        chosen = operateurs[0][0]
    if chosen is None:
        return Desk(filters, operateurs, [], {}, [], 0, 1, 1, {}, [], {})
    streams = store_.streams(today, chosen)
    lines = store_.lines(operateur_id=chosen)
    events = store_.latest_events([ln.id for ln in lines if ln.id is not None])
    every = rows_of(regulation, streams, lines, events, today)
    months = sorted({exploitant.first_of_month(r.period.start) for r in every}, reverse=True)
    month = filters.month if filters.month in months else (months[0] if months else None)
    applied = Filters(
        chosen, month, filters.state, filters.indication, filters.billable, filters.reason
    )
    in_month = [r for r in every if exploitant.first_of_month(r.period.start) == month]
    reasons: dict[str, tuple[str, str]] = {}
    for r in in_month:
        for x in r.period.reasons:
            reasons.setdefault(x.rule, (x.text, x.text_en))
    matching = [r for r in in_month if _matches(r, applied)]
    matching.sort(key=lambda r: (r.period.start, r.stream.patient_id, r.period.number))
    pages = max(1, -(-len(matching) // PAGE))
    number = min(number, pages)
    shown = matching[(number - 1) * PAGE : number * PAGE]
    lacking: dict[Missing, int] = defaultdict(int)
    for r in matching:
        for m in r.missing:
            lacking[m] += 1
    series = ready(regulation, streams, lines, events, today)
    patients = {r.stream.patient_id for r in shown} | {s.patient_id for s in series}
    return Desk(
        applied,
        operateurs,
        months,
        dict(sorted(reasons.items())),
        shown,
        len(matching),
        number,
        pages,
        _totals(matching),
        series,
        directory.names(patients),
        dict(lacking),
    )
