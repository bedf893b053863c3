"""The billing run: judge every elapsed period of every stream, append what is newly due.

The store hands the streams (with their days with data, read by one aggregation); the engine
decides; only lines not already standing in the ledger are appended. Running twice, or twice at
the same time, bills nothing twice: the ledger's unique key keeps one line per period × forfait ×
generation (see `adapters.sql.billing.tables`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from telesurveillance.domain.billing import engine, verdict
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import ledger, notes, pool


@dataclass(frozen=True, slots=True)
class Outcome:
    run: ledger.Run
    judged_periods: int
    billable_periods: int
    written: tuple[ledger.Line, ...]
    already_billed: int


def cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


#: Basis texts already written, by what they are made of: a run has few distinct ones,
#: and keying on (name, day) pairs avoids hashing the citations of every basis on every line.
_BASIS_TEXTS: dict[tuple[tuple[str, dt.date], ...], str] = {}
_KEPT = 4096


def basis_json(basis: tuple[verdict.Basis, ...]) -> str:
    """The basis as `[[parameter, since], ...]`: a dated value of the regulation is identified by
    its name and first day, and its citations are read back from the data when printed
    (`billing_basis.cites`), which keeps a ledger line small."""
    key = tuple([(b.parameter, b.since) for b in basis])
    text = _BASIS_TEXTS.get(key)
    if text is None:
        text = json.dumps([[parameter, since.isoformat()] for parameter, since in key])
        _remember(_BASIS_TEXTS, key, text)
    return text


@functools.lru_cache(maxsize=4096)
def notes_json(found: tuple[verdict.Reason, ...]) -> str:
    """The verdict's notes with their typed facts, so the line can be explained later
    (`services.billing.notes`)."""
    return notes.encode(found)


def _remember(texts: dict[Any, str], key: Any, text: str) -> None:
    if len(texts) >= _KEPT:
        texts.clear()
    texts[key] = text


#: What a verdict line becomes on a ledger line, by the line (the engine hands the same line
#: object for the same prices and basis): the line is kept so that its id stays its own.
_CONVERTED: dict[int, tuple[verdict.Line, tuple[Any, ...]]] = {}


def _converted(ln: verdict.Line) -> tuple[Any, ...]:
    """(forfait, code, coefficient, amount, AMO, rest, basis) as the ledger writes them."""
    kept = _CONVERTED.get(id(ln))
    if kept is not None and kept[0] is ln:
        return kept[1]
    coefficient = None if ln.coefficient is None else str(ln.coefficient.normalize())
    values = (
        ln.forfait,
        ln.code,
        coefficient,
        cents(ln.amount),
        cents(ln.amo),
        cents(ln.rest),
        basis_json(ln.basis),
    )
    if len(_CONVERTED) >= _KEPT:
        _CONVERTED.clear()
    _CONVERTED[id(ln)] = (ln, values)
    return values


def lines_of(stream: ledger.Stream, period: verdict.PeriodVerdict) -> list[ledger.Line]:
    """The ledger lines (generation 1 charges) of one billable period's verdict."""
    notes = notes_json(period.notes)
    indication = stream.situation.prise_en_charge.indication.value
    keys = (
        stream.prise_en_charge_id,
        stream.patient_id,
        stream.operateur_id,
        stream.exploitant_id,
        stream.dmn_id,
        indication,
        period.number,
        period.start,
        period.last_day,
    )
    counts = (period.days_with_data, period.expected_days)
    out = []
    for ln in period.lines:
        forfait, code, coefficient, amount, amo, amc, basis = _converted(ln)
        out.append(
            ledger.Line(*keys, forfait, code, coefficient, amount, amo, amc, *counts, basis, notes)
        )
    return out


def judge(
    regulation: store.Regulation, streams: Sequence[ledger.Stream], until: dt.date
) -> tuple[list[ledger.Line], int, int]:
    """Every line the engine says is due for periods ended before `until`, in the streams'
    order, with the counts of periods judged and billable (one process)."""
    due: list[ledger.Line] = []
    judged = billable = 0
    for stream in streams:
        judgement = engine.judge(regulation, stream.situation, until)
        judged += len(judgement.periods)
        for period in judgement.periods:
            if period.billable:
                billable += 1
                due.extend(lines_of(stream, period))
    return due, judged, billable


def due_lines(
    regulation: store.Regulation,
    streams: Iterable[ledger.Stream],
    until: dt.date,
    *,
    workers: int = 1,
) -> tuple[list[ledger.Line], int, int]:
    """`judge`, in a pool of `workers` processes when the run is big enough for it to pay
    (`pool.available`): the same lines in the same order either way."""
    streams = list(streams)
    if pool.available(workers, len(streams)):
        return pool.judge_in(workers, judge, regulation, streams, until)
    return judge(regulation, streams, until)


def plan(
    due: Iterable[ledger.Line],
    standing: set[ledger.Key],
    generations: Mapping[ledger.Key, int],
) -> tuple[list[ledger.Line], int]:
    """The due lines not standing in the ledger, each as the next generation of its key."""
    new: list[ledger.Line] = []
    skipped = 0
    for ln in due:
        if ln.key in standing:
            skipped += 1
            continue
        generation = generations.get(ln.key, 0) + 1
        new.append(ln if generation == ln.generation else _with_generation(ln, generation))
    return new, skipped


def _with_generation(ln: ledger.Line, generation: int) -> ledger.Line:
    return dataclasses.replace(ln, generation=generation)


def to_judge(
    regulation: store.Regulation,
    streams: Iterable[ledger.Stream],
    until: dt.date,
    billed: Mapping[int, set[int]],
) -> tuple[list[ledger.Stream], int]:
    """The streams with a period to judge: a stream whose every period ended before `until`
    has all its forfaits standing would add nothing (`plan` skips standing keys), so it is not
    judged again. Returns them and how many standing lines the others hold."""
    kept: list[ledger.Stream] = []
    standing = 0
    every = len(verdict.Forfait)
    for stream in streams:
        done = billed.get(stream.prise_en_charge_id)
        if done:
            count = engine.elapsed(regulation, stream.situation, until)
            if all(number in done for number in range(1, count + 1)):
                standing += every * count
                continue
        kept.append(stream)
    return kept, standing


def run(
    store_: ledger.Ledger,
    regulation: store.Regulation,
    until: dt.date,
    *,
    operateur_id: int | None = None,
    actor: str,
    now: dt.datetime,
    workers: int = 1,
    days: Mapping[int, frozenset[dt.date]] | None = None,
) -> Outcome:
    """Judge and append: the whole use case `billing run --until DATE [--operateur X]`. With
    `workers` > 1 a big run is judged in that many processes (`pool`), with the same result.
    `days` (patient → days with data before `until`) replaces the store's own aggregation, e.g.
    when Spark aggregated them from the Parquet export (`billing run --spark`). Streams whose
    every elapsed period is billed in full are not judged again (`to_judge`), so running again
    costs the reads."""
    standing, generations = ledger.standing(store_.written(operateur_id=operateur_id))
    streams = store_.streams(until, operateur_id, days)
    streams, billed = to_judge(regulation, streams, until, ledger.fully_billed(standing))
    due, judged, billable = due_lines(regulation, streams, until, workers=workers)
    new, skipped = plan(due, standing, generations)
    started = store_.start("run", until, operateur_id, actor, now)
    written = store_.append(started, new)
    return Outcome(started, judged, billable, written, billed + skipped + len(new) - len(written))
