"""The follow-up task list of a patient or of the whole team.

The tasks and their due dates are the pathway's (`services.pathway.followup.task_list`, from
`domain.pathway.tasks`: therapeutic support sessions where the listing makes them mandatory,
the observance checkpoints at 1 and 2 months after inclusion, the end of a trial month, the
renewal from the prescription's end of coverage). What is added here is the team's own record:
a task marked done keeps who did it (the authenticated principal, never a form field) and when,
and stays listed as done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from telesurveillance.domain.pathway import tasks
from telesurveillance.domain.regulation import store as regulation_store
from telesurveillance.services.followup import ports
from telesurveillance.services.pathway import followup
from telesurveillance.services.pathway import ports as pathway_ports

#: How far ahead the team list shows upcoming tasks (days): a project choice.
HORIZON_DAYS = 31


@dataclass(frozen=True, slots=True)
class Item:
    """A task of a prise en charge, with the team's record when it was marked done."""

    care: ports.Care
    task: tasks.Task
    done: ports.Done | None

    @property
    def status(self) -> tasks.Status:
        return tasks.Status.DONE if self.done is not None else self.task.status

    @property
    def open(self) -> bool:
        return self.status is not tasks.Status.DONE


def _items(
    pathway: pathway_ports.Store,
    store: ports.Store,
    regulation: regulation_store.Regulation,
    cares: Sequence[ports.Care],
    today: dt.date,
) -> list[Item]:
    marked = {(d.pec_id, d.kind, d.due_on): d for d in store.done([c.id for c in cares])}
    found = []
    for care in cares:
        for task in followup.task_list(pathway, regulation, care.id, today):
            found.append(Item(care, task, marked.get((care.id, task.kind.value, task.due_on))))
    return found


def of_patient(
    pathway: pathway_ports.Store,
    store: ports.Store,
    regulation: regulation_store.Regulation,
    patient_id: int,
    today: dt.date,
) -> list[Item]:
    """Every task of the patient's prises en charge, by due date."""
    found = _items(pathway, store, regulation, store.cares_of(patient_id), today)
    return sorted(found, key=lambda i: (i.task.due_on, i.task.kind.value, i.care.id))


def of_team(
    pathway: pathway_ports.Store,
    store: ports.Store,
    regulation: regulation_store.Regulation,
    today: dt.date,
    *,
    include_done: bool = False,
) -> list[Item]:
    """The tasks of every active prise en charge due by `HORIZON_DAYS` from `today` (overdue
    first), the ones marked done too when `include_done`."""
    limit = today + dt.timedelta(days=HORIZON_DAYS)
    found = [
        i
        for i in _items(pathway, store, regulation, store.active_cares(today), today)
        if i.task.due_on <= limit and (include_done or i.open)
    ]
    return sorted(found, key=lambda i: (not i.open, i.task.due_on, i.care.family, i.care.id))


def mark_done(
    pathway: pathway_ports.Store,
    store: ports.Store,
    regulation: regulation_store.Regulation,
    pec_id: int,
    kind: str,
    due_on: dt.date,
    who: tuple[str, int | None, str],
    now_ms: int,
    today: dt.date,
) -> ports.Done:
    """Mark one listed task done by `who` (name, account id, role of the principal) at
    `now_ms`. A task that is not in the prise en charge's list is `LookupError`; one already
    done (by the data or by someone) is `AlreadyDone`."""
    listed = {
        (t.kind.value, t.due_on): t for t in followup.task_list(pathway, regulation, pec_id, today)
    }
    task = listed.get((kind, due_on))
    if task is None:
        raise LookupError(
            f"no task {kind} due on {due_on.isoformat()} for prise en charge {pec_id}"
        )
    if task.status is tasks.Status.DONE:
        raise ports.AlreadyDone(None)
    name, account_id, role = who
    done = ports.Done(pec_id, kind, due_on, now_ms, name, account_id, role)
    store.mark_done(done)
    return done
