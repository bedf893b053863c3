"""Follow-up: the task list, therapeutic support sessions, majorations, tasks marked done."""

from __future__ import annotations

import datetime as dt

from telesurveillance.domain.pathway import delegation, majoration, refusals, tasks
from telesurveillance.domain.regulation import catalogue, store
from telesurveillance.services.pathway import care, ports, setup

Store = ports.Store
Refused = refusals.Refused


def task_list(
    store_: Store, regulation: store.Regulation, pec_id: int, today: dt.date
) -> list[tasks.Task]:
    """The prise en charge's tasks on `today` (support, checkpoints, trial, renewal)."""
    pec = care.view(store_, pec_id)
    end = pec.stopped_on or today + dt.timedelta(days=1)
    followed = tasks.Followed(
        indication=catalogue.Indication(pec.indication),
        starts_on=pec.starts_on,
        prescriptions=pec.billing_prescriptions(),
        support_sessions=[s.held_on for s in pec.sessions],
        days_with_data=store_.days_with_data(pec.patient_id, pec.starts_on, end),
        done=pec.marks,
        stopped_on=pec.stopped_on,
    )
    return tasks.tasks(regulation, followed, today)


def record_session(
    store_: Store,
    pec_id: int,
    held_on: dt.date,
    given_by: int,
    topic: str = "",
) -> int:
    """A therapeutic support session: a non-medical task any health professional of the team
    may give (ministry guide, § Conventions et délégation)."""
    pec = care.view(store_, pec_id)
    who = store_.practitioner(given_by)
    if who is None:
        raise setup.NotFound(f"no practitioner {given_by}")
    role = "medecin" if who.profession == "medecin" else "soignant"
    if not delegation.may_perform(role, delegation.Task.THERAPEUTIC_SUPPORT, ()):
        raise Refused(
            "delegation.therapeutic_support",
            f"a {who.profession} cannot give therapeutic support",
            refusals.DELEGATION_GUIDE,
        )
    if held_on < pec.starts_on:
        raise Refused(
            "support.before_start",
            f"session on {held_on.isoformat()} before the start on {pec.starts_on.isoformat()}",
            refusals.PROJECT_CHOICE,
        )
    return store_.add_session(pec_id, held_on, given_by, topic.strip())


def attest_majoration(
    store_: Store,
    regulation: store.Regulation,
    pec_id: int,
    level: int,
    since: dt.date,
    attested_by: int,
    criterion: str,
    until: dt.date | None = None,
) -> int:
    """A majorated level attested by a physician, within the uninterrupted caps."""
    pec = care.view(store_, pec_id)
    who = store_.practitioner(attested_by)
    if who is None:
        raise setup.NotFound(f"no practitioner {attested_by}")
    end = majoration.check(
        regulation,
        catalogue.Indication(pec.indication),
        level,
        since,
        until,
        attested_by_profession=who.profession,
        criterion=criterion,
        previous=pec.billing_majorations(),
    )
    return store_.add_majoration(pec_id, level, since, end, attested_by, criterion.strip())


def mark_done(
    store_: Store,
    pec_id: int,
    kind: str,
    due_on: dt.date,
    done_on: dt.date,
    done_by: int | None = None,
) -> None:
    """Mark a task done (the trial review); the other tasks are derived from the data."""
    care.view(store_, pec_id)
    store_.mark_task(pec_id, tasks.Kind(kind).value, due_on, done_on, done_by)
