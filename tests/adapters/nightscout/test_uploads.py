"""Entries and treatments as uploaders send them become readings, acknowledgements or refusals."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from telesurveillance.adapters.cgm import lines
from telesurveillance.adapters.nightscout import documents, entries, treatments
from telesurveillance.domain.measures import table as measures

FIXTURES = Path(__file__).parents[2] / "fixtures" / "nightscout"
TABLE = measures.packaged()
SENSOR = TABLE.by_name("glucose_capteur").id
BLOOD = TABLE.by_name("glycemie").id


def load(name: str) -> list[dict[str, Any]]:
    return documents.decode((FIXTURES / name).read_bytes())


def only(line: lines.Line) -> lines.Sourced:
    (found,) = line.readings
    return found


def test_the_schema_example_entry_is_a_sensor_reading_with_its_identifier() -> None:
    (line,) = entries.parse(load("entries_schema_example.json"), patient_id=5)
    found = only(line)
    assert found.reading.instant == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert (found.reading.kind, found.reading.value, found.reading.patient_id) == (
        SENSOR,
        120.0,
        5,
    )
    assert found.origin == lines.Origin(
        lines.Source.NIGHTSCOUT, "xDrip-DexcomG6", "550e8400-e29b-41d4-a716-446655440000"
    )


def test_dexcom_error_codes_are_skipped_not_stored() -> None:
    found = entries.parse(load("entries_error_codes_example.json"), patient_id=5)
    assert [line.skipped for line in found] == [lines.Skip.SENSOR_ERROR] * 2
    assert found[0].note == "sensor error code 5 (?NC sensor not calibrated)"


def test_xdrip_uploads_sgv_low_mbg_and_acknowledges_cal() -> None:
    sgv, low, mbg, cal = entries.parse(load("entries_xdrip.json"), patient_id=5)
    assert only(sgv).reading.instant == dt.datetime(2026, 1, 13, 23, 2, 31, 89000, tzinfo=dt.UTC)
    assert (only(low).reading.value, only(low).bound) == (39.0, lines.Bound.BELOW)
    assert (only(mbg).reading.kind, only(mbg).reading.value) == (BLOOD, 128.0)
    assert (cal.skipped, cal.readings) == (lines.Skip.CALIBRATION, ())


def test_the_share_bridge_upload_gives_three_readings_from_share2() -> None:
    found = entries.parse(load("entries_share2nightscout_bridge.json"), patient_id=5)
    assert [only(line).reading.value for line in found] == [100.0, 101.0, 102.0]
    assert {only(line).origin.device for line in found} == {"share2"}
    assert {only(line).origin.record for line in found} == {None}


def test_401_is_nightscouts_high_and_is_flagged() -> None:
    (line,) = entries.parse([{"type": "sgv", "sgv": 401, "date": 1768345351089}], patient_id=5)
    assert only(line).bound is lines.Bound.ABOVE


@pytest.mark.parametrize(
    ("document", "reason", "field"),
    [
        ({"type": "sgv", "sgv": 120}, "no instant: none of date, dateString, sysTime", "date"),
        (
            {"type": "sgv", "sgv": 120, "dateString": "2026-01-14T00:02:31"},
            "dateString '2026-01-14T00:02:31' has no UTC offset: the instant is unknown",
            "dateString",
        ),
        ({"type": "sgv", "sgv": "high", "date": 1}, "sgv 'high' is not a number", "sgv"),
        ({"type": "sgv", "date": 1768345351089}, "no sgv", "sgv"),
        ({"type": "sgv", "sgv": True, "date": 1768345351089}, "sgv True is not a number", "sgv"),
        ({"type": "mbg", "mbg": 5000, "date": 1768345351089}, "implausible", "mbg"),
        ({"type": "sgv", "sgv": 120, "date": -5}, "not an instant", "date"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_member(
    document: dict[str, Any], reason: str, field: str
) -> None:
    good = {"type": "sgv", "sgv": 110, "date": 1768345351089}
    bad, kept = entries.parse([document, good], patient_id=5)
    assert bad.refusal is not None
    assert reason in bad.refusal.reason
    assert (bad.refusal.line, bad.refusal.field) == (1, field)
    assert only(kept).reading.value == 110.0


def test_an_entry_without_type_is_read_by_its_value_member() -> None:
    (line,) = entries.parse([{"sgv": 95, "date": 1768345351089}], patient_id=5)
    assert only(line).reading.kind == SENSOR


def test_other_entry_types_are_acknowledged_and_skipped() -> None:
    (line,) = entries.parse([{"type": "sensor", "date": 1768345351089}], patient_id=5)
    assert (line.skipped, line.note) == (lines.Skip.NOT_GLUCOSE, "entry type 'sensor'")


def test_reparsing_an_upload_gives_equal_readings() -> None:
    body = load("entries_xdrip.json")
    assert entries.parse(body, patient_id=5) == entries.parse(body, patient_id=5)


def test_finger_glucose_treatments_are_blood_readings() -> None:
    check, bolus, no_type = treatments.parse(load("treatments_nightscout_tests.json"), patient_id=5)
    assert only(check).reading.instant == dt.datetime(2026, 1, 14, 7, 0, tzinfo=dt.UTC)
    assert (only(check).reading.kind, only(check).reading.value) == (BLOOD, 100.0)
    assert only(bolus).reading.value == 100.0
    assert only(no_type).reading.instant == dt.datetime(2026, 1, 14, 7, 10, tzinfo=dt.UTC)


def test_therapy_treatments_are_acknowledged_without_a_reading() -> None:
    (xdrip,) = treatments.parse(load("treatments_xdrip.json"), patient_id=5)
    (loop,) = treatments.parse(load("treatments_loop_override.json"), patient_id=5)
    assert (xdrip.skipped, xdrip.note) == (lines.Skip.NOT_GLUCOSE, "Snack Bolus")
    assert (loop.skipped, loop.note) == (lines.Skip.NOT_GLUCOSE, "Temporary Override")


@pytest.mark.parametrize(
    ("units", "site", "expected"),
    [("mmol", "mg/dL", 6.0 * 18.016), ("mg/dl", "mmol/L", 108.0), (None, "mmol/L", 6.0 * 18.016)],
)
def test_treatment_glucose_is_read_in_its_units_else_the_sites(
    units: str | None, site: str, expected: float
) -> None:
    value = 6.0 if units != "mg/dl" else 108
    document: dict[str, Any] = {
        "eventType": "BG Check",
        "glucose": value,
        "timestamp": 1768372800000,
    }
    if units:
        document["units"] = units
    (line,) = treatments.parse([document], patient_id=5, site_units=site)
    assert only(line).reading.value == pytest.approx(expected)


def test_sensor_glucose_in_a_treatment_is_not_a_second_reading() -> None:
    document = {"eventType": "Meal Bolus", "glucose": 100, "glucoseType": "Sensor", "timestamp": 1}
    (line,) = treatments.parse([document], patient_id=5)
    assert line.skipped is lines.Skip.NOT_GLUCOSE
    assert "Sensor" in line.note or "sensor" in line.note


def test_a_treatment_glucose_in_unknown_units_is_refused() -> None:
    document = {"eventType": "BG Check", "glucose": 5, "units": "g/L", "created_at": "2026-01-14"}
    (line,) = treatments.parse([document], patient_id=5)
    assert line.refusal == lines.Refusal(1, "units 'g/L' is neither mg/dl nor mmol", "units")


def test_the_treatment_identifier_is_the_senders() -> None:
    document = {
        "eventType": "BG Check",
        "glucose": 100,
        "glucoseType": "Finger",
        "created_at": "2026-01-14T07:00:00Z",
        "syncIdentifier": "loop-42",
        "enteredBy": "Loop",
    }
    (line,) = treatments.parse([document], patient_id=5)
    assert only(line).origin == lines.Origin(lines.Source.NIGHTSCOUT, "Loop", "loop-42")


def test_bodies_are_an_array_or_one_object_possibly_gzipped() -> None:
    one = {"type": "sgv", "sgv": 100, "date": 1}
    assert documents.decode(json.dumps(one).encode()) == [one]
    assert documents.decode(gzip.compress(json.dumps([one, one]).encode()), "gzip") == [one, one]
    assert documents.decode(b"  ") == []


@pytest.mark.parametrize(
    ("raw", "encoding", "message"),
    [
        (b"{not json", None, "not JSON"),
        (b"[1, 2]", None, "document 1 is not a JSON object"),
        (b"\x1f\x8b broken", None, "not valid gzip"),
        (b"{}", "br", "unsupported Content-Encoding"),
    ],
)
def test_an_unreadable_body_is_refused_whole(
    raw: bytes, encoding: str | None, message: str
) -> None:
    with pytest.raises(documents.BodyError, match=message):
        documents.decode(raw, encoding)
