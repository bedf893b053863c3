"""The exploitant's workspace: what an exploitant may know of the patients of its DMN and what it
earns from them, with no clinical value.

- transmission: per prise en charge of its DMN, the last day with data, the days since, and the
  current period's days with data against the days needed (the observance threshold);
- at risk: the prises en charge whose current period may miss that threshold (`forecast`);
- its conventions with each opérateur (dates, whether the artefact pre-filter is delegated);
- the pre-filter queue: the alerts not closed of its patients, where a convention in force
  delegates the pre-filter, not yet judged — shown by rule and severity, never by value;
- its forfait technique by month and tier (`exploitant.view`), and a simulation under another
  file active: APPROXIMATE (the grid's reading is not settled), never a billed amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from telesurveillance.domain.billing import file_active
from telesurveillance.domain.regulation import records, store
from telesurveillance.services.alerts import views
from telesurveillance.services.billing import exploitant, forecast, ledger
from telesurveillance.services.dashboard import ports
from telesurveillance.services.pathway import ports as pathway_ports
from telesurveillance.services.setup import ports as setup_ports

#: Pre-filter queue: the most alerts read (each is read with its verdict).
QUEUE_MAX = 50
#: The alerts not closed looked through for the queue (most severe first).
SEARCHED = 2000
#: Alert statuses the pre-filter is about.
NOT_CLOSED = ("open", "acknowledged")


@dataclass(frozen=True, slots=True)
class Transmission:
    patient_id: int
    indication: str
    dmn: str
    operateur_id: int
    last_day: dt.date | None
    #: days since the last day with data (None: never transmitted)
    days_since: int | None
    current: forecast.Forecast | None


@dataclass(frozen=True, slots=True)
class Convention:
    operateur: str
    signed_on: dt.date | None
    ends_on: dt.date | None
    prefilter_delegated: bool
    in_force: bool


@dataclass(frozen=True, slots=True)
class Queued:
    """An alert to pre-filter: what the rule is and how severe, never the values."""

    id: int
    patient_id: int
    rule_id: str
    severity: str
    opened_at: int


@dataclass(frozen=True, slots=True)
class Workspace:
    exploitant_id: int
    name: str
    today: dt.date
    transmissions: list[Transmission]
    at_risk: list[forecast.Forecast]
    conventions: list[Convention]
    delegated: bool
    queue: list[Queued]
    technique: exploitant.View
    simulated: int | None
    simulations: tuple[file_active.Simulation, ...]
    names: dict[int, tuple[str, str, bool]]

    @property
    def synthetic(self) -> bool:
        return any(n[2] for n in self.names.values())


class Conventions(Protocol):
    def operateurs(self) -> Sequence[pathway_ports.Operateur]: ...
    def convention_rows(self, operateur_id: int) -> Sequence[setup_ports.Convention]: ...


def _in_force(row: setup_ports.Convention, today: dt.date) -> bool:
    started = row.signed_on is None or row.signed_on <= today
    return started and (row.ends_on is None or today <= row.ends_on)


def transmissions(
    regulation: store.Regulation, streams: Sequence[ledger.Stream], today: dt.date
) -> list[Transmission]:
    """The prises en charge of `streams` in monitoring, longest silent first."""
    current = {f.prise_en_charge_id: f for f in forecast.forecast(regulation, streams, today)}
    out = []
    for s in streams:
        found = current.get(s.prise_en_charge_id)
        if found is None:
            continue  # not in monitoring today (ended, not started)
        days = [d for d in s.situation.days_with_data if d <= today]
        last = max(days) if days else None
        since = (today - last).days if last is not None else None
        dmn = s.facts.dmn_name or ""
        indication = s.situation.prise_en_charge.indication.value
        out.append(Transmission(s.patient_id, indication, dmn, s.operateur_id, last, since, found))
    out.sort(key=lambda t: (t.days_since is not None, -(t.days_since or 0), t.patient_id))
    return out


def workspace(
    store_: ledger.Ledger,
    regulation: store.Regulation,
    directory: ports.Directory,
    conventions: Conventions,
    alerts: views.Views,
    exploitant_id: int | None,
    today: dt.date,
    simulate: int | None = None,
    benefit: records.Benefit = records.Benefit.ORGANISATIONNEL,
) -> Workspace | None:
    """The workspace of `exploitant_id` (None: the first exploitant recorded, for an
    administrateur) on `today`; `simulate`: a file active to simulate. None when there is no
    such exploitant."""
    known = dict(directory.exploitants())
    if exploitant_id is None and known:
        exploitant_id = next(iter(known))
    if exploitant_id is None or exploitant_id not in known:
        return None
    # read up to tomorrow so that today's data counts (as the forecast asks)
    tomorrow = today + dt.timedelta(days=1)
    own = [s for s in store_.streams(tomorrow) if s.exploitant_id == exploitant_id]
    sent = transmissions(regulation, own, today)
    risky = forecast.at_risk(regulation, own, today)
    rows: list[Convention] = []
    delegating: set[int] = set()
    for op in conventions.operateurs():
        for c in conventions.convention_rows(op.id):
            if c.exploitant_id != exploitant_id:
                continue
            live = _in_force(c, today)
            rows.append(Convention(op.name, c.signed_on, c.ends_on, c.prefilter_delegated, live))
            if live and c.prefilter_delegated:
                delegating.add(op.id)
    queue = _queue(alerts, own, delegating)
    technique = exploitant.view(
        regulation, exploitant_id, own, store_.lines(exploitant_id=exploitant_id), today, benefit
    )
    simulations = exploitant.simulate(regulation, benefit, simulate, today) if simulate else ()
    patients = {t.patient_id for t in sent} | {q.patient_id for q in queue}
    return Workspace(
        exploitant_id,
        known[exploitant_id],
        today,
        sent,
        risky,
        rows,
        bool(delegating),
        queue,
        technique,
        simulate,
        simulations,
        directory.names(patients),
    )


def _queue(alerts: views.Views, own: Sequence[ledger.Stream], delegating: set[int]) -> list[Queued]:
    """The alerts not closed of the patients followed by a delegating opérateur, not yet
    pre-filtered, oldest first."""
    patients = {s.patient_id for s in own if s.operateur_id in delegating}
    out: list[Queued] = []
    if not patients:
        return out
    for a in views.search(alerts, statuses=NOT_CLOSED, limit=SEARCHED):
        if a.patient_id not in patients or a.operateur_id not in delegating:
            continue
        read = alerts.get(a.id)
        if read is not None and read.prefilter is None:
            out.append(Queued(a.id, a.patient_id, a.rule_id, a.severity, a.opened_at))
        if len(out) >= QUEUE_MAX:
            break
    return sorted(out, key=lambda q: q.opened_at)
