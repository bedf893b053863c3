"""Acting on alerts: acknowledge, close with a decision, the exploitant's pre-filter, overrides.

Who may do what is the domain's (`domain.alerts.lifecycle`); the store applies each change as a
compare-and-set (`UPDATE … WHERE status = :old`, rowcount checked) and writes the transition row
in the same transaction, so of two users acting at once exactly one wins and the other gets a
`lifecycle.Conflict` naming the state it found.

Who acts (`actor`, `role`) is the authenticated principal, handed in by the edge; whether a
soignant may close medically is decided here from the protocoles de coopération stored for the
opérateur following the patient and in force on the Paris day of the closure — never from
anything the caller states.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import bounds, lifecycle, rules, ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.pathway import delegation


class NotFound(LookupError):
    pass


class OverrideConflict(Exception):
    """The override is no longer the value the user saw: someone else changed it first."""

    def __init__(self, rule_id: str, field: str, expected: float | None, found: float | None):
        def shown(value: float | None) -> str:
            return "the default" if value is None else f"{value:g}"

        super().__init__(
            f"{rule_id}.{field} is {shown(found)}, not {shown(expected)}: "
            "another user changed it first"
        )
        self.found = found


@dataclass(frozen=True, slots=True)
class Expected:
    """The override value the user saw (None: the rule's default) — a compare-and-set."""

    value: float | None


#: The longest closure comment kept (characters); a longer one is refused, not cut.
NOTE_MAX = 2000

#: The most alerts acknowledged by one bulk action.
BULK_MAX = 200


class Outcome(StrEnum):
    """What became of one alert of a bulk action."""

    DONE = "done"
    CONFLICT = "conflict"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Member:
    """An active care-team account an alert may be assigned to."""

    id: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Change:
    alert_id: int
    actor: str
    role: lifecycle.Role
    at: int
    note: str | None = None
    decision: lifecycle.Decision | None = None
    cooperation: bool = False


@dataclass(frozen=True, slots=True)
class OverrideEntry:
    patient_id: int
    rule_id: str
    field: str
    old_value: float | None
    new_value: float | None
    actor: str
    at: int
    reason: str


class Store(Protocol):
    def status(self, alert_id: int) -> lifecycle.Status | None: ...

    def transition(self, change: Change, expected: lifecycle.Status, to: lifecycle.Status) -> None:
        """Compare-and-set from `expected` to `to` and record the transition row; raises
        `lifecycle.Conflict` when the alert is no longer `expected`."""
        ...

    def assign(self, change: Change, expected: int | None, assignee: int | None) -> None:
        """Compare-and-set of the assignee from `expected` to `assignee` on an alert not closed,
        with its row in the assignment history; raises `lifecycle.Conflict` when the alert is
        closed or assigned to someone else than `expected`."""
        ...

    def team(self) -> list[Member]:
        """The active care-team accounts (médecin, soignant), by name."""
        ...

    def protocols(self, alert_id: int) -> list[delegation.CooperationProtocol]:
        """The protocoles de coopération stored for the opérateur following the alert's patient
        (the alert's opérateur, else the patient's), whatever their dates."""
        ...

    def prefilter_delegated(self, alert_id: int) -> tuple[bool, int | None]:
        """Whether a convention of the alert's opérateur delegates the pre-filter, and to which
        exploitant (the one of the patient's DMN)."""
        ...

    def record_prefilter(
        self, change: Change, verdict: lifecycle.Verdict, exploitant_id: int | None
    ) -> None: ...

    def set_override(self, entry: OverrideEntry, expected: Expected | None) -> OverrideEntry:
        """Compare-and-set of the override from the value found (which must be `expected`
        when given) to `entry.new_value`, with its history row in the same transaction; raises
        `OverrideConflict` when the value changed meanwhile."""
        ...

    def override_history(self, patient_id: int) -> list[OverrideEntry]:
        """Every override change of the patient, oldest first."""
        ...


def acknowledge(
    store: Store, alert_id: int, actor: str, role: lifecycle.Role, now: dt.datetime,
    note: str | None = None,
) -> None:  # fmt: skip
    lifecycle.check_acknowledge(role)
    if store.status(alert_id) is None:
        raise NotFound(f"no alert {alert_id}")
    change = Change(alert_id, actor, role, reading.millis(now), _note(note))
    store.transition(change, lifecycle.Status.OPEN, lifecycle.Status.ACKNOWLEDGED)


def acknowledge_many(
    store: Store, alert_ids: Iterable[int], actor: str, role: lifecycle.Role, now: dt.datetime
) -> Counter[Outcome]:
    """Acknowledge several alerts at once, each by its own compare-and-set: an alert someone
    else acknowledged or closed first is counted as a conflict, the others go through."""
    lifecycle.check_acknowledge(role)
    chosen = list(dict.fromkeys(alert_ids))
    if len(chosen) > BULK_MAX:
        raise ValueError(f"at most {BULK_MAX} alerts at once, not {len(chosen)}")
    outcomes: Counter[Outcome] = Counter()
    for alert_id in chosen:
        try:
            acknowledge(store, alert_id, actor, role, now)
        except NotFound:
            outcomes[Outcome.MISSING] += 1
        except lifecycle.Conflict:
            outcomes[Outcome.CONFLICT] += 1
        else:
            outcomes[Outcome.DONE] += 1
    return outcomes


def assign(
    store: Store, alert_id: int, assignee: int | None, expected: int | None, actor: str,
    role: lifecycle.Role, now: dt.datetime,
) -> None:  # fmt: skip
    """Assign an alert to an active care-team member (`None`: to nobody), from the assignee the
    user saw (`expected`): if someone reassigned it meanwhile, a `lifecycle.Conflict`."""
    lifecycle.check_assign(role)
    if store.status(alert_id) is None:
        raise NotFound(f"no alert {alert_id}")
    if assignee is not None and assignee not in {m.id for m in store.team()}:
        raise lifecycle.Refused(f"account {assignee} is not an active care-team member")
    store.assign(Change(alert_id, actor, role, reading.millis(now)), expected, assignee)


def team(store: Store) -> list[Member]:
    """Who an alert may be assigned to."""
    return store.team()


def _note(note: str | None) -> str | None:
    """A comment as kept: stripped, None when empty; refused over `NOTE_MAX` characters."""
    kept = (note or "").strip()
    if len(kept) > NOTE_MAX:
        raise ValueError(f"a comment is at most {NOTE_MAX} characters, not {len(kept)}")
    return kept or None


def close(
    store: Store,
    alert_id: int,
    actor: str,
    role: lifecycle.Role,
    decision: lifecycle.Decision,
    now: dt.datetime,
    *,
    note: str | None = None,
) -> None:
    """Medical closure with a decision and an optional free-text comment (an open alert may be
    closed without acknowledging).

    A soignant closes only under a protocole de coopération (CSP art. L. 4011-1) stored for the
    opérateur and in force on the Paris day of `now`; the transition records that it did."""
    if role not in lifecycle.CARE_TEAM:
        lifecycle.check_close(role, delegated=False)
    status = store.status(alert_id)
    if status is None:
        raise NotFound(f"no alert {alert_id}")
    cooperation = role is lifecycle.Role.SOIGNANT and delegation.may_close_medically(
        role.value, store.protocols(alert_id), on=calendar.paris_day(now)
    )
    lifecycle.check_close(role, delegated=cooperation)
    if status not in lifecycle.closable_from():
        raise lifecycle.Conflict(alert_id, lifecycle.closable_from(), status.value)
    kept = _note(note)
    change = Change(alert_id, actor, role, reading.millis(now), kept, decision, cooperation)
    store.transition(change, status, lifecycle.Status.CLOSED)


def prefilter(
    store: Store, alert_id: int, actor: str, role: lifecycle.Role,
    verdict: lifecycle.Verdict, now: dt.datetime, note: str | None = None,
    *, as_exploitant: int | None = None,
) -> None:  # fmt: skip
    """The exploitant's artefact verdict, kept apart from the medical decision (no status
    change); allowed only where the convention delegates the pre-filter, and only to the
    exploitant of the patient's DMN (`as_exploitant`: the caller's exploitant, when known)."""
    if store.status(alert_id) is None:
        raise NotFound(f"no alert {alert_id}")
    delegated, exploitant_id = store.prefilter_delegated(alert_id)
    lifecycle.check_prefilter(role, delegated=delegated)
    if as_exploitant is not None and as_exploitant != exploitant_id:
        raise lifecycle.Refused("this alert is about another exploitant's device")
    store.record_prefilter(
        Change(alert_id, actor, role, reading.millis(now), note), verdict, exploitant_id
    )


def set_override(
    store: Store,
    sets: ruleset.RuleSets,
    patient_id: int,
    rule_id: str,
    field: str,
    value: float | None,
    actor: str,
    reason: str,
    now: dt.datetime,
    expected: Expected | None = None,
    table: measures.Table | None = None,
) -> OverrideEntry:
    """Override one number of one rule for one patient (`None`: back to the default), within
    the field's allowed range (`domain.alerts.bounds`: a threshold within the measurement's
    plausible range); the history keeps who, when, why and the old and new values. With
    `expected`, the value the user saw, a concurrent change is an `OverrideConflict`."""
    rule = sets.by_id.get(rule_id)
    if rule is None:
        raise NotFound(f"no rule {rule_id!r}")
    if not reason.strip():
        raise ValueError("an override needs a reason")
    if field not in rules.OVERRIDABLE:
        raise ValueError(f"{field!r} cannot be overridden (allowed: {rules.OVERRIDABLE})")
    if value is not None:
        value = bounds.check(rule, field, value, table or measures.packaged())
    entry = OverrideEntry(
        patient_id, rule_id, field, None, value, actor, reading.millis(now), reason.strip()
    )
    return store.set_override(entry, expected)


def override_history(store: Store, patient_id: int) -> list[OverrideEntry]:
    """Who changed which number of which rule for the patient, when, why, from what to what."""
    return store.override_history(patient_id)
