"""Bulk inputs: NDJSON (one Observation or QuestionnaireResponse per line) and CSV.

CSV columns (header required): `patient,code,effective,value,unit` — the patient key, a LOINC
code of the measurement table, the instant (ISO 8601 with time zone), the value and its UCUM
unit. A blood-pressure panel is two rows (8480-6 and 8462-4) at the same instant.

Every conversion of a line is bounded: an instant outside the plausible window (beyond now plus
the clock tolerance, before the LATM common law; `domain.measures.instants`), a patient key
beyond 18 digits, a number too large for a float or JSON nested beyond the parser's depth is
refused with the line's number, never an exception that would stop the whole input.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from telesurveillance.adapters.fhir import (
    fast,
    jsontext,
    observations,
    outcome,
    provenance,
    questionnaires,
    typed,
)
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.services import ingest

CSV_COLUMNS = ("patient", "code", "effective", "value", "unit")
#: The longest patient key (as `ids.number`: any 18 digits fit in a signed 64-bit integer).
MAX_KEY_DIGITS = 18


def resource_readings(
    resource: Any, table: measures.Table, window: instants.Window, *, withdrawals: bool = False
) -> list[reading.Reading]:
    """The readings of one bulk resource (fast path first, the model path otherwise); with
    `withdrawals`, an `entered-in-error` Observation gives the readings it withdraws."""
    if not isinstance(resource, dict):
        raise outcome.Invalid("each line must be a JSON object (a FHIR resource)", code="structure")
    found = fast.readings(resource, table, window)
    if found is not None:
        return found
    if resource.get("resourceType") == "QuestionnaireResponse":
        return questionnaires.parse(resource, table, window)
    return observations.parse(resource, table, window, withdrawals=withdrawals)


def _action(resource: dict[str, Any]) -> ingest.Action:
    """A correction (amended, corrected, entered-in-error) for an Observation; else STORE."""
    if resource.get("resourceType") != "Observation":
        return ingest.Action.STORE
    return observations.action(resource)


def _rejected(line: int, error: outcome.Invalid) -> ingest.Parsed:
    return ingest.Parsed(
        line, rejected=ingest.Rejected(line, error.diagnostics, error.expression, error.code)
    )


def _out_of_range(error: Exception) -> outcome.Invalid:
    return outcome.Invalid(f"a value is out of range ({error})", code="value")


def ndjson(
    lines: Iterable[bytes | str],
    table: measures.Table,
    window: instants.Window,
    *,
    start: int = 1,
    max_depth: int = jsontext.MAX_DEPTH,
) -> Iterator[ingest.Parsed]:
    """One `Parsed` per non-blank line, numbered from `start` (a UTF-8 byte order mark before
    line 1 is skipped); a line nested deeper than `max_depth` is refused, never parsed.

    A common device Observation is decoded straight into typed structs (`typed`); any other
    line, and any doubt, takes the generic path: JSON, then `resource_readings`."""
    reader = typed.Reader(table, window) if max_depth >= typed.DEPTH else None
    for number, raw in enumerate(lines, start=start):
        if number == 1:
            raw = _without_bom(raw)
        if not raw.strip():
            continue
        if reader is not None:
            done = reader.parsed(raw, number)
            if done is not None:
                yield done
                continue
        try:
            resource = jsontext.loads(raw, max_depth)
        except outcome.Invalid as error:
            yield _rejected(number, error)
            continue
        try:
            found = resource_readings(resource, table, window, withdrawals=True)
        except outcome.Invalid as error:
            yield _rejected(number, error)
        except (OverflowError, RecursionError) as error:
            yield _rejected(number, _out_of_range(error))
        else:
            yield ingest.Parsed(
                number,
                found,
                where=observations.where(resource),
                resource_type=resource["resourceType"],
                action=_action(resource),
                identifiers=provenance.identifiers(resource),  # issue 17: who sent it
                device=provenance.device(resource),
            )


def _without_bom(raw: bytes | str) -> bytes | str:
    return (
        raw.removeprefix(b"\xef\xbb\xbf") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
    )


def csv_rows(
    lines: Iterable[str], table: measures.Table, window: instants.Window
) -> Iterator[ingest.Parsed]:
    """One `Parsed` per non-empty row after the header (the csv module, in C), each converted
    by `CsvRows` (what repeats from row to row looked up once)."""
    rows = csv.reader(lines)
    header = next(rows, None)
    if header is None:
        return
    if tuple(h.strip() for h in header) != CSV_COLUMNS:
        yield _rejected(1, outcome.Invalid(f"the header must be {','.join(CSV_COLUMNS)}"))
        return
    convert = CsvRows(table, window)
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        try:
            found = convert(row)
        except outcome.Invalid as error:
            yield _rejected(number, error)
        except OverflowError as error:
            yield _rejected(number, _out_of_range(error))
        else:
            yield ingest.Parsed(number, [found], where=ingest.CSV)


#: Distinct patient keys remembered per import.
_KEYS = 100_000


class CsvRows:
    """Converts CSV rows to readings for one import: the patient keys already read, the days of
    the instants (`typed.Reader.ts`) and the values converted are remembered, the rest is
    checked per row."""

    def __init__(self, table: measures.Table, window: instants.Window) -> None:
        self.table = table
        self.window = window
        self._instants = typed.Reader(table, window)
        self._patients: dict[str, int] = {}
        #: (kind, unit, value as written) → the canonical value, for the values accepted
        self._values: dict[tuple[int, str, str], float] = {}

    def __call__(self, row: list[str]) -> reading.Reading:
        if len(row) != len(CSV_COLUMNS):
            raise outcome.Invalid(f"expected {len(CSV_COLUMNS)} columns, got {len(row)}")
        patient, code, effective, value, unit = row
        patient_id = self._patients.get(patient)
        if patient_id is None:
            patient_id = _patient_key(patient)
            if len(self._patients) < _KEYS:
                self._patients[patient] = patient_id
        kind = self.table.by_loinc(code)
        if kind is None:
            raise outcome.Invalid(f"LOINC code {code!r} is not a measurement we accept", "code")
        # a FHIR instant to the second (the usual case) is read without a datetime
        ts = self._instants.ts(effective)
        if ts is None:
            ts = _instant(effective)
        if not self.window.earliest <= ts <= self.window.latest:
            why = self.window.refusal(ts, effective)
            assert why is not None
            raise outcome.Invalid(why, "effective", code="value")
        canonical = self._values.get((kind.id, unit, value))
        if canonical is None:
            try:
                canonical = kind.normalise(float(value), unit, "value")
            except ValueError as error:
                field = error.field if isinstance(error, measures.MeasurementError) else "value"
                raise outcome.Invalid(str(error), field) from None
            if len(self._values) < _KEYS:  # a value converted is the same on the next row
                self._values[(kind.id, unit, value)] = canonical
        return reading.Reading(patient_id, kind.id, ts, canonical)


def _patient_key(patient: str) -> int:
    digits = patient.lstrip("0")
    # ASCII digits only ("²".isdigit() is true), at most 18 (a key beyond 64 bits is no key)
    if not (patient.isascii() and patient.isdigit() and 0 < len(digits) <= MAX_KEY_DIGITS):
        raise outcome.Invalid(f"patient {patient!r} is not a patient id", "patient")
    return int(digits)


def _instant(effective: str) -> int:
    try:
        return reading.millis(dt.datetime.fromisoformat(effective))
    except ValueError:
        raise outcome.Invalid(
            f"{effective!r} is not an instant with a time zone", "effective"
        ) from None
