"""Building the SYNTHETIC demo (`telesurveillance demo`): wipe the store — only if it is empty
or already a demo —, write the planned organisations, patients and six months of readings
through the production write path, open one log-in per role, run billing up to the demo's day,
then judge the last days of readings and sweep for missing data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from telesurveillance.domain.access import roles
from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.measures import instants
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store
from telesurveillance.services.alerts import evaluation, pending, ports
from telesurveillance.services.billing import ledger, run
from telesurveillance.services.demo import plan, series
from telesurveillance.services.security import accounts

#: The demo log-ins (printed by the command): one account per role of the care team.
PASSWORD = "Demo-Synthetique-2026!"
ACCOUNTS = (
    ("medecin", roles.Role.MEDECIN, "Dr Claire Démo (médecin)"),
    ("soignant", roles.Role.SOIGNANT, "Inès Test (infirmière)"),
    ("facturation", roles.Role.FACTURATION, "Secrétariat de facturation"),
    ("exploitant", roles.Role.EXPLOITANT, "Télémédecine Exemple SAS"),
    ("admin", roles.Role.ADMINISTRATEUR, "Administrateur"),
    # issue 17: a patient's own log-in (their page), linked to `patient_login`'s patient
    ("patient", roles.Role.PATIENT, ""),
)
#: Alerts are evaluated on the readings of the last eight days (the longest rule window is seven
#: days): older crossings would be history a care team has already handled. Every reading is
#: marked pending when written; the demo's catch-up settles the older ones unjudged.
RECENT = dt.timedelta(days=8)


@dataclass(frozen=True, slots=True)
class Built:
    operateur_id: int
    exploitant_ids: tuple[int, ...]
    patient_ids: tuple[int, ...]
    readings: int


class Store(Protocol):
    """Where the demo is written (`adapters.sql.demo.SqlDemo`)."""

    def location(self) -> str:
        """The store's address, fit to print (no password)."""
        ...

    def is_demo(self) -> bool:
        """True if the store may be wiped: empty, or holding the demo opérateur and only
        synthetic patients (the demo marker)."""
        ...

    def wipe(self) -> None:
        """Drop every table (all areas) and build the current schema again."""
        ...

    def write(
        self,
        seed: int,
        people: Sequence[plan.Person],
        papers: plan.Papers,
        today: dt.date,
        now: dt.datetime,
    ) -> Built:
        """Write the organisations, `people` and their readings up to `now` into the (wiped)
        store, readings through the production write path."""
        ...

    def link_accounts(self) -> int:
        """Link the demo's log-ins to their team members (after the accounts exist); the
        number of links written."""
        ...

    def not_closed(self) -> int:
        """The alerts not closed: the number the triage queue shows."""
        ...


@dataclass(frozen=True, slots=True)
class Ports:
    demo: Store
    ledger: ledger.Ledger
    accounts: accounts.Store
    alerts: ports.Evaluation


class NotADemo(Exception):
    """The store holds non-synthetic data or no demo marker: it is not wiped."""

    def __init__(self, location: str) -> None:
        super().__init__(f"{location} holds non-synthetic data or no demo marker")
        self.location = location


@dataclass(frozen=True, slots=True)
class Summary:
    location: str
    built: Built
    billing: run.Outcome
    #: what the catch-up judged on the last `RECENT` days of readings
    judged: pending.Judged
    #: the no-data sweep
    swept: evaluation.Recorded
    #: the alerts not closed once built (the triage queue's number)
    queue: int = 0


def patient_login(people: Sequence[plan.Person], built: Built) -> tuple[int, plan.Person] | None:
    """The patient of the demo's patient log-in: the first living heart-failure patient (their
    page offers the weight, the blood pressure and the symptom questionnaire)."""
    for person, patient_id in zip(people, built.patient_ids, strict=True):
        if person.indication.value == "insuffisance_cardiaque" and person.died_on is None:
            return patient_id, person
    return (built.patient_ids[0], people[0]) if people and built.patient_ids else None


def build(
    store_: Ports,
    regulation: store.Regulation,
    table: measures.Table,
    sets: ruleset.RuleSets,
    *,
    seed: int,
    patients: int,
    today: dt.date,
    now: dt.datetime,
    tolerance: dt.timedelta = instants.DEFAULT_TOLERANCE,
    force: bool = False,
) -> Summary:
    """Build a fresh demo of `patients` synthetic patients for `today` (readings up to `now`).

    Refused (`NotADemo`) unless the store is empty or already a demo, or `force`."""
    location = store_.demo.location()
    if not force and not store_.demo.is_demo():
        raise NotADemo(location)
    series.check_kinds(table)
    store_.demo.wipe()
    people = plan.plan(seed, patients, today)
    built = store_.demo.write(seed, people, plan.papers(regulation, today), today, now)
    for username, role, name in ACCOUNTS:
        own = patient_login(people, built) if role is roles.Role.PATIENT else None
        if role is roles.Role.PATIENT and own is None:
            continue  # a demo without patients
        accounts.create_account(
            store_.accounts, username, PASSWORD, role, now,
            display_name=f"{own[1].given} {own[1].family}" if own else name,
            exploitant_id=built.exploitant_ids[0] if role is roles.Role.EXPLOITANT else None,
            patient_id=own[0] if own else None,
        )  # fmt: skip
    store_.demo.link_accounts()  # the medecin and soignant log-ins are team members
    outcome = run.run(store_.ledger, regulation, today, actor="demo", now=now)
    # Every demo reading was marked pending when written; the six months of history are the
    # patients' background, so only the last days are judged (the rest is settled unjudged).
    judged = pending.catch_up(store_.alerts, sets, now, floor=now - RECENT)
    swept = evaluation.sweep(store_.alerts, sets, now, tolerance)
    return Summary(location, built, outcome, judged, swept, store_.demo.not_closed())
