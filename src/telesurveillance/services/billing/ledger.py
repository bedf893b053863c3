"""What the billing use cases work on: streams judged, ledger lines, and the store they need.

A *stream* is one prise en charge (patient × indication) with the `Situation` the engine judges and
the facts the exports print. A *ledger line* is one billed (or reversed) period × forfait. The
`Ledger` protocol is the port the use cases are given; `adapters.sql.billing.ledger.SqlLedger`
implements
it over the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

from telesurveillance.domain.billing import model, verdict


class UnknownOperateur(LookupError):
    """A run or an export names an opérateur the store does not hold."""

    def __init__(self, operateur_id: int) -> None:
        super().__init__(f"no opérateur with id {operateur_id}")
        self.operateur_id = operateur_id


class Entry(StrEnum):
    CHARGE = "charge"
    REVERSAL = "reversal"


class Status(StrEnum):
    """What happened to a line after the run: recorded as events, never as updates."""

    SENT = "sent"
    PAID = "paid"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Event:
    """The latest status event of a line: what, who, when, and the note given."""

    line_id: int
    status: Status
    actor: str
    at: dt.datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Identities and dates printed on the billing files (not needed by the engine)."""

    patient_family: str = ""
    patient_given: str = ""
    nir: str | None = None
    nir_type: str | None = None
    operateur_name: str = ""
    operateur_finess: str | None = None
    operateur_rpps: str | None = None
    prescriber_rpps: str | None = None
    prescribed_on: dt.date | None = None
    renewals: tuple[dt.date, ...] = ()
    consent_on: dt.date | None = None
    dmn_name: str | None = None
    exploitant_name: str | None = None
    exploitant_siret: str | None = None


@dataclass(frozen=True, slots=True)
class Stream:
    """One prise en charge as the engine sees it, with the keys the ledger records."""

    prise_en_charge_id: int
    patient_id: int
    operateur_id: int
    exploitant_id: int | None
    dmn_id: int | None
    situation: model.Situation
    facts: Facts = Facts()


@dataclass(frozen=True, slots=True)
class Line:
    """A ledger line, new (`id` None) or read back; amounts in cents, negative on reversals."""

    prise_en_charge_id: int
    patient_id: int
    operateur_id: int
    exploitant_id: int | None
    dmn_id: int | None
    indication: str
    period_number: int
    period_start: dt.date
    period_last_day: dt.date
    forfait: verdict.Forfait
    code: str | None
    coefficient: str | None
    amount_cents: int | None
    amo_cents: int | None
    amc_cents: int | None
    days_with_data: int
    expected_days: int
    basis: str
    notes: str
    entry: Entry = Entry.CHARGE
    generation: int = 1
    reverses_id: int | None = None
    reason: str | None = None
    id: int | None = None
    run_id: int | None = None
    created_at: dt.datetime | None = None

    @property
    def key(self) -> tuple[int, int, verdict.Forfait]:
        return (self.prise_en_charge_id, self.period_number, self.forfait)


class Written(NamedTuple):
    """What a run plans against, for each line already in the ledger (not the whole line)."""

    prise_en_charge_id: int
    period_number: int
    forfait: verdict.Forfait
    generation: int
    entry: Entry
    id: int
    reverses_id: int | None


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    kind: str
    until: dt.date | None
    operateur_id: int | None
    actor: str
    started_at: dt.datetime


class Ledger(Protocol):
    """The port the billing use cases are given (implemented over SQL in the adapters)."""

    def streams(
        self,
        until: dt.date,
        operateur_id: int | None = None,
        days: Mapping[int, frozenset[dt.date]] | None = None,
    ) -> Sequence[Stream]:
        """Every prise en charge (of `operateur_id`, if given) with its days with data before
        `until`, read with one aggregation — or taken from `days` (patient → days), aggregated
        elsewhere (e.g. by Spark from the Parquet export)."""
        ...

    def lines(
        self,
        *,
        operateur_id: int | None = None,
        exploitant_id: int | None = None,
        run_id: int | None = None,
        ids: Sequence[int] | None = None,
    ) -> Sequence[Line]:
        """Ledger lines in id order."""
        ...

    def written(self, *, operateur_id: int | None = None) -> Sequence[Written]:
        """The key, generation, entry, id and reversed charge of every line (of `operateur_id`,
        if given), in id order: what a run needs of the ledger."""
        ...

    def start(
        self,
        kind: str,
        until: dt.date | None,
        operateur_id: int | None,
        actor: str,
        at: dt.datetime,
    ) -> Run: ...

    def append(self, run: Run, lines: Iterable[Line]) -> tuple[Line, ...]:
        """Insert the lines; a line whose (period, forfait, generation, entry) is already there
        is skipped. Returns the lines actually written, with their ids."""
        ...

    def record(
        self, line_ids: Sequence[int], status: Status, actor: str, at: dt.datetime, note: str | None
    ) -> int: ...

    def latest_events(self, line_ids: Sequence[int] | None = None) -> dict[int, Event]:
        """Each line's latest status event (lines never marked are absent)."""
        ...

    def record_from(
        self,
        line_ids: Sequence[int],
        allowed: Mapping[Status | None, frozenset[Status]],
        status: Status,
        actor: str,
        at: dt.datetime,
        note: str | None,
    ) -> tuple[list[int], list[int]]:
        """Compare-and-set: in one transaction, record `status` on each line whose latest status
        (None: never marked) may move to it by `allowed`; returns (recorded, refused) ids —
        a line the ledger does not hold is refused."""
        ...


def active_charges(lines: Iterable[Line]) -> dict[tuple[int, int, verdict.Forfait], Line]:
    """The charges still standing (not reversed), by (prise en charge, period, forfait)."""
    charges: dict[int, Line] = {}
    reversed_ids: set[int] = set()
    for ln in lines:
        if ln.entry is Entry.CHARGE and ln.id is not None:
            charges[ln.id] = ln
        elif ln.reverses_id is not None:
            reversed_ids.add(ln.reverses_id)
    return {ln.key: ln for i, ln in charges.items() if i not in reversed_ids}


def last_generation(lines: Iterable[Line]) -> dict[tuple[int, int, verdict.Forfait], int]:
    found: dict[tuple[int, int, verdict.Forfait], int] = {}
    for ln in lines:
        found[ln.key] = max(found.get(ln.key, 0), ln.generation)
    return found


Key = tuple[int, int, verdict.Forfait]


def standing(written: Iterable[Written]) -> tuple[set[Key], dict[Key, int]]:
    """The keys (prise en charge, period, forfait) whose charge still stands (not reversed), and
    the last generation written of every key: `active_charges` and `last_generation` over the
    compact rows a run reads."""
    charges: dict[int, Key] = {}
    reversed_ids: set[int] = set()
    generations: dict[Key, int] = {}
    for pec, number, forfait, generation, entry, line_id, reverses_id in written:
        key = (pec, number, forfait)
        if entry is Entry.CHARGE:
            charges[line_id] = key
        elif reverses_id is not None:
            reversed_ids.add(reverses_id)
        if generation > generations.get(key, 0):
            generations[key] = generation
    return {k for i, k in charges.items() if i not in reversed_ids}, generations


def fully_billed(keys: Iterable[Key]) -> dict[int, set[int]]:
    """Prise en charge → the periods whose every forfait has a standing charge: a run would
    append nothing for them whatever their verdict."""
    found: dict[tuple[int, int], int] = {}
    for pec, number, _forfait in keys:
        found[(pec, number)] = found.get((pec, number), 0) + 1
    every = len(verdict.Forfait)
    out: dict[int, set[int]] = {}
    for (pec, number), count in found.items():
        if count == every:
            out.setdefault(pec, set()).add(number)
    return out
