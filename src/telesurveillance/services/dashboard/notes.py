"""The care team's notes on a patient: appended, never edited (a correction is a new note), each
with its author and role — taken from the authenticated principal by the edge — shown on the
patient page newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

#: Longest note accepted (characters): a note, not a report.
MAX_NOTE = 4000
#: Notes shown on the patient page.
SHOWN = 100


class NoteError(ValueError):
    """A note we refuse (empty, too long, unknown patient)."""


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    patient_id: int
    author: str
    role: str
    body: str
    written_at: dt.datetime


class Notes(Protocol):
    def add(self, patient_id: int, author: str, role: str, body: str, at: dt.datetime) -> int:
        """Append a note (already checked) and return its id; raises `NoteError` when there is
        no such patient."""
        ...

    def for_patient(self, patient_id: int, limit: int) -> list[Note]:
        """The patient's notes, newest first."""
        ...


def add(notes: Notes, patient_id: int, author: str, role: str, body: str, at: dt.datetime) -> int:
    """Append a note; refuses an empty or oversize text and an unknown patient (`NoteError`)."""
    text = body.strip()
    if not text:
        raise NoteError("a note cannot be empty")
    if len(text) > MAX_NOTE:
        raise NoteError(f"a note is at most {MAX_NOTE} characters")
    return notes.add(patient_id, author, role, text, at)


def for_patient(notes: Notes, patient_id: int, limit: int = SHOWN) -> list[Note]:
    """The patient's notes, newest first."""
    return notes.for_patient(patient_id, limit)
