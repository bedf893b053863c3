"""The dashboard's billing page: per prise en charge and elapsed period, billable or not and why
(the engine's verdicts on the ledger's streams), a page at a time, with the names to print and,
for an exploitant, its forfait technique view (`services.billing.exploitant`).

Which streams the caller may see at all is the edge's policy (the projection table's scopes):
it is handed in as `visible`, applied before anything else is read about them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telesurveillance.domain.billing import engine, verdict
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import exploitant, ledger
from telesurveillance.services.dashboard import ports

#: Prises en charge per billing page (each shows every elapsed period with its reasons).
PAGE = 25


@dataclass(frozen=True, slots=True)
class Page:
    judged: list[tuple[ledger.Stream, verdict.Judgement]]
    #: patient id → (family name, given name, synthetic), for every visible stream
    names: dict[int, tuple[str, str, bool]]
    operateurs: list[tuple[int, str]]
    exploitants: list[tuple[int, str]]
    page: int
    pages: int
    technique: exploitant.View | None

    @property
    def synthetic(self) -> bool:
        return any(n[2] for n in self.names.values())


def page(
    streams: ledger.Ledger,
    directory: ports.Directory,
    regulation: store.Regulation,
    today: dt.date,
    *,
    visible: Callable[[Sequence[ledger.Stream]], list[ledger.Stream]],
    patient: int | None = None,
    number: int = 1,
    exploitant_id: int | None = None,
) -> Page:
    """Page `number` of the streams the caller may see (of one `patient`, if given), judged on
    `today`; `exploitant_id`: also that exploitant's forfait technique view."""
    shown = visible(streams.streams(today))
    names = directory.names({s.patient_id for s in shown})
    operateurs = directory.operateurs()
    exploitants = directory.exploitants()
    if patient is not None:
        shown = [s for s in shown if s.patient_id == patient]
    pages = max(1, -(-len(shown) // PAGE))
    shown = shown[(number - 1) * PAGE : number * PAGE]
    judged = [(s, engine.judge(regulation, s.situation, today)) for s in shown]
    technique = None
    if exploitant_id is not None:
        technique = exploitant.for_exploitant(streams, regulation, exploitant_id, today)
    return Page(judged, names, operateurs, exploitants, number, pages, technique)
