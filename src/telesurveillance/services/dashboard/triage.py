"""The shared triage queue: every alert not closed, most severe first, then newest first;
filtered by severity, indication, assignee and age, with the team it may be assigned to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from telesurveillance.domain.measures import reading
from telesurveillance.services.dashboard import ports, worklist

#: The ages the queue filters on: alerts opened at least this long ago.
AGES: dict[str, dt.timedelta] = {
    "4h": dt.timedelta(hours=4),
    "24h": dt.timedelta(hours=24),
    "72h": dt.timedelta(hours=72),
    "7d": dt.timedelta(days=7),
}


class Assigned(StrEnum):
    """The assignee filter's choices besides one member's id."""

    ME = "me"
    NOBODY = "none"


@dataclass(frozen=True, slots=True)
class Filters:
    severity: str | None = None
    indication: str | None = None
    #: `Assigned.ME`, `Assigned.NOBODY`, or an account id as text
    assignee: str | None = None
    #: a key of `AGES`
    age: str | None = None

    @property
    def any(self) -> bool:
        return any((self.severity, self.indication, self.assignee, self.age))


@dataclass(frozen=True, slots=True)
class Queue:
    alerts: list[ports.OpenAlert]
    #: patient id → (family name, given name, synthetic)
    names: dict[int, tuple[str, str, bool]]
    #: every alert not closed, before the filters
    total: int = 0
    #: the care-team accounts (id, name) an alert may be assigned to
    team: list[tuple[int, str]] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return any(n[2] for n in self.names.values())


def queue(
    reads: ports.Worklist,
    directory: ports.Directory,
    filters: Filters | None = None,
    *,
    me: int | None = None,
    now: dt.datetime | None = None,
) -> Queue:
    """The queue for `filters`; `me` is the account of the user (the "assigned to me" filter),
    `now` the instant the age filter counts from."""
    chosen = filters or Filters()
    every = reads.open_alerts()
    alerts = [a for a in every if _kept(a, chosen, me, now)]
    names = directory.names({a.patient_id for a in alerts})
    alerts.sort(key=lambda a: (worklist.SEVERITY_RANK.get(a.severity, 9), -a.opened_at))
    return Queue(alerts, names, len(every), reads.team())


def _kept(alert: ports.OpenAlert, f: Filters, me: int | None, now: dt.datetime | None) -> bool:
    if f.severity is not None and alert.severity != f.severity:
        return False
    if f.indication is not None and alert.indication != f.indication:
        return False
    if f.assignee == Assigned.ME and (me is None or alert.assignee_id != me):
        return False
    if f.assignee == Assigned.NOBODY and alert.assignee_id is not None:
        return False
    if f.assignee is not None and f.assignee.isdigit() and alert.assignee_id != int(f.assignee):
        return False
    if f.age in AGES and now is not None:
        return alert.opened_at <= reading.millis(now - AGES[f.age])
    return True
