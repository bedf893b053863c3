"""What the patient's page shows: who, the questionnaires of their indications, their recent
entries and the team's latest instructions. Only the session's patient, ever."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from telesurveillance.domain.alerts import ruleset
from telesurveillance.domain.patient_space import questionnaires
from telesurveillance.services.patient_space import ports

RECENT = 20
INSTRUCTIONS = 3
MAX_INSTRUCTION = 4000


class InstructionError(ValueError):
    """An empty or too long instruction."""


@dataclass(frozen=True, slots=True)
class Page:
    person: ports.Person
    questionnaires: Sequence[questionnaires.Questionnaire]
    entries: Sequence[ports.Entry]
    instructions: Sequence[ports.Instruction]


def questionnaires_of(indications: frozenset[str]) -> list[questionnaires.Questionnaire]:
    """The questionnaires the alert rules of `indications` read (rules of kind score)."""
    rules = ruleset.packaged().for_indications(indications)
    return questionnaires.for_rules([r.questionnaire for r in rules])


def questionnaire(
    store: ports.Store, patient_id: int, qid: str
) -> questionnaires.Questionnaire | None:
    """The questionnaire `qid` if it is one of the patient's indications'."""
    person = store.person(patient_id)
    if person is None:
        return None
    return next((q for q in questionnaires_of(person.indications) if q.id == qid), None)


def view(store: ports.Store, patient_id: int) -> Page | None:
    person = store.person(patient_id)
    if person is None:
        return None
    return Page(
        person,
        questionnaires_of(person.indications),
        store.entries(patient_id, RECENT),
        store.instructions(patient_id, INSTRUCTIONS),
    )


def instruct(
    store: ports.Store, patient_id: int, body: str, author: str, role: str, now: dt.datetime
) -> None:
    """Append an instruction of the team for the patient (shown on the patient's page)."""
    text = body.strip()
    if not text or len(text) > MAX_INSTRUCTION:
        raise InstructionError(f"an instruction has 1 to {MAX_INSTRUCTION} characters")
    if store.person(patient_id) is None:
        raise InstructionError(f"no patient Patient/{patient_id}")
    store.add_instruction(patient_id, text, author, role, now)
