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
from dataclasses import dataclass
from typing import Protocol

from telesurveillance.domain import calendar
from telesurveillance.domain.alerts import lifecycle, rules, ruleset
from telesurveillance.domain.measures import reading
from telesurveillance.domain.pathway import delegation


class NotFound(LookupError):
    pass


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

    def set_override(self, entry: OverrideEntry) -> OverrideEntry: ...

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
    change = Change(alert_id, actor, role, reading.millis(now), note)
    store.transition(change, lifecycle.Status.OPEN, lifecycle.Status.ACKNOWLEDGED)


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
    """Medical closure with a decision (an open alert may be closed without acknowledging).

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
    change = Change(alert_id, actor, role, reading.millis(now), note, decision, cooperation)
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
) -> OverrideEntry:
    """Override one number of one rule for one patient (`None`: back to the default); the
    history keeps who, when, why and the old and new values."""
    rule = sets.by_id.get(rule_id)
    if rule is None:
        raise NotFound(f"no rule {rule_id!r}")
    if not reason.strip():
        raise ValueError("an override needs a reason")
    if value is not None:
        rule.with_overrides({field: value})  # refuses a field that cannot be overridden
        if field != "threshold" and field != "enabled" and value <= 0:
            raise ValueError(f"{field} must be positive")
    elif field not in rules.OVERRIDABLE:
        raise ValueError(f"{field!r} cannot be overridden (allowed: {rules.OVERRIDABLE})")
    entry = OverrideEntry(
        patient_id, rule_id, field, None, value, actor, reading.millis(now), reason.strip()
    )
    return store.set_override(entry)


def override_history(store: Store, patient_id: int) -> list[OverrideEntry]:
    """Who changed which number of which rule for the patient, when, why, from what to what."""
    return store.override_history(patient_id)
