"""Acting on several alerts and assigning them, over an in-memory lifecycle store: each alert
by its own compare-and-set, the bulk limit on both sides of its boundary, assignment to the
active care team only."""

from __future__ import annotations

import datetime as dt

import pytest

from telesurveillance.domain.alerts import lifecycle
from telesurveillance.domain.pathway import delegation
from telesurveillance.services.alerts import lifecycle as acting

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


class _Store:
    def __init__(self, statuses: dict[int, lifecycle.Status]) -> None:
        self.statuses = statuses
        self.assignees: dict[int, int | None] = dict.fromkeys(statuses)
        self.changes: list[acting.Change] = []

    def status(self, alert_id: int) -> lifecycle.Status | None:
        return self.statuses.get(alert_id)

    def transition(
        self, change: acting.Change, expected: lifecycle.Status, to: lifecycle.Status
    ) -> None:
        if self.statuses[change.alert_id] is not expected:
            raise lifecycle.Conflict(change.alert_id, expected, self.statuses[change.alert_id])
        self.statuses[change.alert_id] = to
        self.changes.append(change)

    def assign(self, change: acting.Change, expected: int | None, assignee: int | None) -> None:
        if self.assignees[change.alert_id] != expected:
            raise lifecycle.Conflict(change.alert_id, lifecycle.Status.OPEN, "reassigned")
        self.assignees[change.alert_id] = assignee

    def team(self) -> list[acting.Member]:
        return [acting.Member(7, "Inès Infirmière", "soignant")]

    def protocols(self, alert_id: int) -> list[delegation.CooperationProtocol]:
        return []


def _open(count: int) -> _Store:
    return _Store(dict.fromkeys(range(1, count + 1), lifecycle.Status.OPEN))


def test_each_alert_of_a_bulk_acknowledgement_is_its_own_compare_and_set() -> None:
    store = _open(2)
    store.statuses[2] = lifecycle.Status.ACKNOWLEDGED
    found = acting.acknowledge_many(store, [1, 2, 3, 1], "Dr A", lifecycle.Role.MEDECIN, NOW)  # type: ignore[arg-type]
    assert found == {acting.Outcome.DONE: 1, acting.Outcome.CONFLICT: 1, acting.Outcome.MISSING: 1}
    assert [c.alert_id for c in store.changes] == [1]


def test_the_largest_bulk_acknowledgement_goes_through_and_one_more_is_refused() -> None:
    store = _open(acting.BULK_MAX + 1)
    ids = list(store.statuses)
    with pytest.raises(ValueError, match=f"at most {acting.BULK_MAX}"):
        acting.acknowledge_many(store, ids, "Dr A", lifecycle.Role.MEDECIN, NOW)  # type: ignore[arg-type]
    assert store.changes == []
    found = acting.acknowledge_many(store, ids[:-1], "Dr A", lifecycle.Role.MEDECIN, NOW)  # type: ignore[arg-type]
    assert found[acting.Outcome.DONE] == acting.BULK_MAX


def test_a_biller_acknowledges_nothing_at_once() -> None:
    with pytest.raises(lifecycle.Refused):
        acting.acknowledge_many(_open(1), [1], "F", lifecycle.Role.FACTURATION, NOW)  # type: ignore[arg-type]


def test_an_alert_is_assigned_to_a_care_team_member_and_back_to_nobody() -> None:
    store = _open(1)
    acting.assign(store, 1, 7, None, "Dr A", lifecycle.Role.MEDECIN, NOW)  # type: ignore[arg-type]
    assert store.assignees[1] == 7
    acting.assign(store, 1, None, 7, "Dr A", lifecycle.Role.MEDECIN, NOW)  # type: ignore[arg-type]
    assert store.assignees[1] is None


def test_an_alert_is_not_assigned_outside_the_care_team() -> None:
    store = _open(1)
    with pytest.raises(lifecycle.Refused, match="not an active care-team member"):
        acting.assign(store, 1, 8, None, "Dr A", lifecycle.Role.MEDECIN, NOW)  # type: ignore[arg-type]
    with pytest.raises(lifecycle.Refused, match="care team only"):
        acting.assign(store, 1, 7, None, "X", lifecycle.Role.EXPLOITANT, NOW)  # type: ignore[arg-type]
    assert store.assignees[1] is None
