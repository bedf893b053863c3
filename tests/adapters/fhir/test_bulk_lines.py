"""Bulk lines: each refused with its number, never stopping the others, whichever path reads it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from telesurveillance.adapters.fhir import bulk, typed
from telesurveillance.domain.measures import instants
from telesurveillance.domain.measures import table as measures
from telesurveillance.domain.regulation import store

TABLE = measures.packaged()
WINDOW = instants.window(
    dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    dt.timedelta(minutes=5),
    store.packaged().common_law_start(),
)


def _weight(**changes: Any) -> bytes:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": "Patient/7"},
        "effectiveDateTime": "2026-01-14T23:30:00Z",
        "valueQuantity": {"value": 80.5, "system": "http://unitsofmeasure.org", "code": "kg"},
    }
    return json.dumps({**resource, **changes}).encode() + b"\n"


def test_a_status_that_is_an_object_is_refused_with_its_line_and_the_others_are_read() -> None:
    lines = [_weight(), _weight(status={}), _weight(status=["final"]), _weight(value=1)]
    parsed = list(bulk.ndjson(lines, TABLE, WINDOW))
    assert [p.line for p in parsed] == [1, 2, 3, 4]
    assert parsed[0].rejected is None
    assert len(parsed[0].readings) == 1
    for refused in parsed[1:3]:
        assert refused.rejected is not None
        assert "status" in (refused.rejected.expression or refused.rejected.diagnostics)
    assert parsed[3].rejected is not None  # an element we do not know: the model refuses it


def test_the_typed_and_generic_paths_give_the_same_line_the_same_reading() -> None:
    typed_line = _weight()
    generic_line = _weight(effectiveDateTime="2026-01-14T23:30Z")  # minutes: the model path
    typed, generic = bulk.ndjson([typed_line, generic_line], TABLE, WINDOW)
    assert typed.readings == generic.readings
    assert typed.where == generic.where


def test_csv_rows_remember_patient_keys_and_still_refuse_each_bad_row() -> None:
    rows = [
        "patient,code,effective,value,unit",
        "007,29463-7,2026-01-14T23:30:00Z,80.5,kg",
        "007,29463-7,2026-01-14T23:35:00.5+01:00,80.6,kg",
        "007,29463-7,2026-01-14 23:40:00+00:00,80.7,kg",  # another ISO form: the standard parser
        "7x,29463-7,2026-01-14T23:30:00Z,80.5,kg",
        "007,29463-7,2030-01-01T00:05:00.001Z,80.5,kg",
        "007,29463-7,2026-01-14T23:30:00,80.5,kg",
    ]
    parsed = list(bulk.csv_rows(rows, TABLE, WINDOW))
    good = [r for p in parsed if p.rejected is None for r in p.readings]
    assert [r.patient_id for r in good] == [7, 7, 7]
    assert [r.ts for r in good] == [
        1768433400000,
        1768433400000 - 3_600_000 + 300_500,
        1768433400000 + 600_000,
    ]
    refused = {p.line: p.rejected for p in parsed if p.rejected is not None}
    assert sorted(refused) == [5, 6, 7]
    assert refused[5].expression == "patient"
    assert "future" in refused[6].diagnostics
    assert refused[7].expression == "effective"


def test_both_paths_keep_the_senders_identifiers_and_device_alike() -> None:
    sent = {
        "identifier": [
            {"system": "urn:oid:1.2.250.1.999", "value": "mesure-42"},
            {"value": "sans-systeme"},
            {"system": "urn:ietf:rfc:3986"},  # no value: nothing would find it again
        ],
        "device": {"reference": "Device/12"},
    }
    line = _weight(**sent)
    assert typed.Reader(TABLE, WINDOW).parsed(line, 1) is not None  # the typed path takes it
    (fast,) = bulk.ndjson([line], TABLE, WINDOW)
    # an element the typed structs do not have: the generic path reads the line
    (generic,) = bulk.ndjson([_weight(**sent, note=[{"text": "x"}])], TABLE, WINDOW)
    expected = (("urn:oid:1.2.250.1.999", "mesure-42"), (None, "sans-systeme"))
    for parsed in (fast, generic):
        assert parsed.rejected is None
        assert parsed.identifiers == expected
        assert parsed.device == 12
