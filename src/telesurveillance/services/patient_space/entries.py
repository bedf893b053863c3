"""What the patient enters on their page: weight, blood pressure (pulse optional), the
symptom questionnaire of their indication.

Each form becomes readings of the patient of the session (never of a form field), at the
instant it is sent, and goes through the ingestion service as device data does
(`services.ingest.bulk`): judged as the route it was sent to (role and patient scope), checked
against the patient's birth and the panels' order, written idempotently, handed to the alert
evaluation (`after_write`). Before that, each field is checked here against the measurement
table's plausible range (`domain/measures/measurements.yaml`) so that a refusal names the
field it belongs to; what is stored is then recorded as patient-entered (`Store.add_entries`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from telesurveillance.domain.access import writes
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.patient_space import questionnaires
from telesurveillance.services import ingest
from telesurveillance.services.patient_space import ports

#: The route every entry is judged as (`permissions.yaml`).
ROUTE = "patient_space.entry"
MAX_TEXT = 20


class Form(StrEnum):
    WEIGHT = "weight"
    PRESSURE = "pressure"
    QUESTIONNAIRE = "questionnaire"


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a field is refused: a message key of the catalog and its values."""

    key: str
    values: Mapping[str, str | float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    problems: Mapping[str, Problem]
    """Field name → why it is refused (nothing is stored when there is one)."""
    stored: int = 0
    """New readings written."""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class Context:
    """What an entry needs besides the form: the stores, the rules, who and when."""

    readings: ingest.Store
    space: ports.Store
    judge: writes.Judge
    table: measures.Table
    window: instants.Window
    now: dt.datetime
    after_write: Callable[[Sequence[reading.Reading]], None] | None = None


def _number(raw: str | None) -> float | Problem | None:
    # "1 234,5" as French writes it (spaces, no-break spaces), or "72.5"
    text = "".join(c for c in (raw or "") if c not in " \u00a0\u202f").replace(",", ".")
    if not text:
        return None
    if len(text) > MAX_TEXT:
        return Problem("space.entry.not_number", {"value": text[:MAX_TEXT] + "…"})
    try:
        value = float(text)
    except ValueError:
        return Problem("space.entry.not_number", {"value": text})
    if not math.isfinite(value):
        return Problem("space.entry.not_number", {"value": text})
    return value


def _measure(
    fields: Mapping[str, str],
    name: str,
    kind: measures.Kind,
    required: bool,
    problems: dict[str, Problem],
) -> float | None:
    value = _number(fields.get(name))
    if isinstance(value, Problem):
        problems[name] = value
        return None
    if value is None:
        if required:
            problems[name] = Problem("space.entry.required")
        return None
    try:
        return kind.normalise(value, kind.unit, name)
    except measures.MeasurementError:
        problems[name] = Problem(
            "space.entry.implausible", {"low": kind.low, "high": kind.high, "kind": kind.name}
        )
        return None


def readings_of(
    form: Form,
    fields: Mapping[str, str],
    table: measures.Table,
    questionnaire: questionnaires.Questionnaire | None,
) -> tuple[dict[int, float], dict[str, Problem]]:
    """The values of a form by measurement kind id, or the problems of its fields."""
    problems: dict[str, Problem] = {}
    values: dict[int, float] = {}

    def take(name: str, kind_name: str, required: bool = True) -> None:
        kind = table.by_name(kind_name)
        found = _measure(fields, name, kind, required, problems)
        if found is not None:
            values[kind.id] = found

    if form is Form.WEIGHT:
        take("weight", "poids")
    elif form is Form.PRESSURE:
        take("systolic", "pression_systolique")
        take("diastolic", "pression_diastolique")
        take("pulse", "frequence_cardiaque", required=False)
        if not problems and table.disorder(values) is not None:
            problems["diastolic"] = Problem("space.entry.disorder")
    elif questionnaire is None:
        problems["questionnaire"] = Problem("space.entry.no_questionnaire")
    else:
        given = {item: fields.get(f"item_{item}", "") for item in questionnaire.items}
        for item, answer in given.items():
            if answer not in {a.id for a in questionnaire.answers}:
                problems[f"item_{item}"] = Problem("space.entry.unanswered")
        if not problems:
            kind = table.by_name("score_symptomes")
            values[kind.id] = kind.normalise(float(questionnaire.score(given)), kind.unit)
    return values, problems


def enter(
    context: Context,
    who: int,
    entered_by: str,
    form: Form,
    fields: Mapping[str, str],
    questionnaire: questionnaires.Questionnaire | None = None,
) -> Outcome:
    """Check and store one form of patient `who` (the session's patient)."""
    values, problems = readings_of(form, fields, context.table, questionnaire)
    if problems:
        return Outcome(problems)
    ts = reading.millis(context.now)
    why = context.window.refusal(ts, context.now.isoformat())
    if why is not None:  # the server's own clock: only a misconfigured floor can refuse it
        return Outcome({"form": Problem("space.entry.refused", {"detail": why})})
    found = tuple(reading.Reading(who, kind, ts, value) for kind, value in sorted(values.items()))

    def authorise(parsed: ingest.Parsed) -> ingest.Grant | writes.Refusal:
        return context.judge.grant(ROUTE, {r.patient_id for r in parsed.readings}, found)

    report = ingest.bulk(
        [ingest.Parsed(1, found, resource_type="PatientEntry")],
        context.readings,
        authorise,
        table=context.table,
        after_write=context.after_write,
        source=ingest.Source(ingest.SourceKind.PATIENT, label=entered_by),
    )
    if report.rejected:
        refused = report.rejected[0]
        return Outcome({"form": Problem("space.entry.refused", {"detail": refused.diagnostics})})
    qid = questionnaire.id if form is Form.QUESTIONNAIRE and questionnaire else None
    context.space.add_entries(
        who, [(r.kind, r.ts, r.value) for r in found], qid, entered_by, context.now
    )
    return Outcome({}, report.readings)
