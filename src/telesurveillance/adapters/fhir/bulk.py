"""Bulk inputs: NDJSON (one Observation or QuestionnaireResponse per line) and CSV.

CSV columns (header required): `patient,code,effective,value,unit` — the patient key, a LOINC
code of the measurement table, the instant (ISO 8601 with time zone), the value and its UCUM
unit. A blood-pressure panel is two rows (8480-6 and 8462-4) at the same instant.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from telesurveillance.adapters.fhir import fast, jsontext, observations, outcome, questionnaires
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest

CSV_COLUMNS = ("patient", "code", "effective", "value", "unit")


def resource_readings(resource: Any, table: measures.Table) -> list[reading.Reading]:
    """The readings of one bulk resource (fast path first, the model path otherwise)."""
    if not isinstance(resource, dict):
        raise outcome.Invalid("each line must be a JSON object (a FHIR resource)", code="structure")
    found = fast.readings(resource, table)
    if found is not None:
        return found
    if resource.get("resourceType") == "QuestionnaireResponse":
        return questionnaires.parse(resource, table)
    return observations.parse(resource, table)


def _rejected(line: int, error: outcome.Invalid) -> ingest.Parsed:
    return ingest.Parsed(line, rejected=ingest.Rejected(line, error.diagnostics, error.expression))


def ndjson(
    lines: Iterable[bytes | str],
    table: measures.Table,
    *,
    start: int = 1,
    max_depth: int = jsontext.MAX_DEPTH,
) -> Iterator[ingest.Parsed]:
    """One `Parsed` per non-blank line, numbered from `start` (a UTF-8 byte order mark before
    line 1 is skipped); a line nested deeper than `max_depth` is refused, never parsed."""
    for number, raw in enumerate(lines, start=start):
        if number == 1:
            raw = _without_bom(raw)
        if not raw.strip():
            continue
        try:
            resource = jsontext.loads(raw, max_depth)
        except outcome.Invalid as error:
            yield _rejected(number, error)
            continue
        try:
            found = resource_readings(resource, table)
            yield ingest.Parsed(number, found, resource_type=resource["resourceType"])
        except outcome.Invalid as error:
            yield _rejected(number, error)


def _without_bom(raw: bytes | str) -> bytes | str:
    return (
        raw.removeprefix(b"\xef\xbb\xbf") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
    )


def csv_rows(lines: Iterable[str], table: measures.Table) -> Iterator[ingest.Parsed]:
    rows = csv.reader(lines)
    header = next(rows, None)
    if header is None:
        return
    if tuple(h.strip() for h in header) != CSV_COLUMNS:
        yield _rejected(1, outcome.Invalid(f"the header must be {','.join(CSV_COLUMNS)}"))
        return
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        try:
            yield ingest.Parsed(number, [_csv_reading(row, table)])
        except outcome.Invalid as error:
            yield _rejected(number, error)


def _csv_reading(row: list[str], table: measures.Table) -> reading.Reading:
    if len(row) != len(CSV_COLUMNS):
        raise outcome.Invalid(f"expected {len(CSV_COLUMNS)} columns, got {len(row)}")
    patient, code, effective, value, unit = row
    if not (patient.isascii() and patient.isdigit()) or int(patient) < 1:
        raise outcome.Invalid(f"patient {patient!r} is not a patient id", "patient")
    kind = table.by_loinc(code)
    if kind is None:
        raise outcome.Invalid(f"LOINC code {code!r} is not a measurement we accept", "code")
    try:
        moment = dt.datetime.fromisoformat(effective)
        ts = reading.millis(moment)
    except ValueError:
        raise outcome.Invalid(
            f"{effective!r} is not an instant with a time zone", "effective"
        ) from None
    try:
        canonical = kind.normalise(float(value), unit, "value")
    except ValueError as error:
        field = error.field if isinstance(error, measures.MeasurementError) else "value"
        raise outcome.Invalid(str(error), field) from None
    return reading.Reading(int(patient), kind.id, ts, canonical)
