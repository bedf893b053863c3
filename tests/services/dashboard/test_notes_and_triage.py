"""The dashboard's services over in-memory ports: a note's length on both sides of its limit,
and the triage queue's order (most severe first, then newest first)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pytest

from telesurveillance.services.dashboard import notes, ports, triage

AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


class _Notes:
    def __init__(self) -> None:
        self.kept: list[notes.Note] = []

    def add(self, patient_id: int, author: str, role: str, body: str, at: dt.datetime) -> int:
        self.kept.append(notes.Note(len(self.kept) + 1, patient_id, author, role, body, at))
        return len(self.kept)

    def for_patient(self, patient_id: int, limit: int) -> list[notes.Note]:
        return [n for n in reversed(self.kept) if n.patient_id == patient_id][:limit]


def test_a_note_of_the_longest_length_is_kept_without_its_surrounding_blanks() -> None:
    store = _Notes()
    notes.add(store, 1, "Dr A", "medecin", "  " + "x" * notes.MAX_NOTE + "\n", AT)
    assert [n.body for n in store.kept] == ["x" * notes.MAX_NOTE]


def test_a_note_one_character_too_long_is_refused_and_nothing_is_kept() -> None:
    store = _Notes()
    with pytest.raises(notes.NoteError, match="at most 4000"):
        notes.add(store, 1, "Dr A", "medecin", "x" * (notes.MAX_NOTE + 1), AT)
    assert store.kept == []


def test_a_blank_note_is_refused() -> None:
    with pytest.raises(notes.NoteError, match="empty"):
        notes.add(_Notes(), 1, "Dr A", "medecin", " \n\t", AT)


class _Reads:
    def __init__(self, alerts: list[ports.OpenAlert]) -> None:
        self.alerts = alerts

    def followed(
        self, today: dt.date, length: int, *, indication: str | None = None
    ) -> list[ports.Followed]:
        return []

    def open_alerts(self) -> list[ports.OpenAlert]:
        return list(self.alerts)

    def prescribers(self) -> list[tuple[int, str]]:
        return []

    def team(self) -> list[tuple[int, str]]:
        return [(7, "Inès Infirmière")]


class _Directory:
    def names(self, patient_ids: Collection[int]) -> dict[int, tuple[str, str, bool]]:
        return {i: (f"NOM{i}", "Prénom", i == 2) for i in patient_ids}

    def operateurs(self) -> list[tuple[int, str]]:
        return []

    def exploitants(self) -> list[tuple[int, str]]:
        return []


def _alert(id_: int, patient: int, severity: str, opened_at: int) -> ports.OpenAlert:
    return ports.OpenAlert(id_, patient, "r", severity, "open", "m", opened_at)


def test_the_triage_queue_puts_the_most_severe_first_then_the_newest() -> None:
    reads = _Reads(
        [
            _alert(1, 1, "low", 300),
            _alert(2, 1, "high", 100),
            _alert(3, 2, "moderate", 200),
            _alert(4, 3, "high", 200),
        ]
    )
    found = triage.queue(reads, _Directory())
    assert [a.id for a in found.alerts] == [4, 2, 3, 1]
    assert set(found.names) == {1, 2, 3}
    assert found.synthetic


def test_a_queue_without_a_synthetic_patient_says_so() -> None:
    found = triage.queue(_Reads([_alert(1, 1, "low", 1)]), _Directory())
    assert not found.synthetic
