"""Dexcom Clarity exports: preamble rows, Low/High, calibrations, events, units, DST."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from telesurveillance.adapters.cgm import clarity, lines
from telesurveillance.domain.measures import table as measures

FIXTURES = Path(__file__).parents[2] / "fixtures" / "cgm"
TABLE = measures.packaged()
SENSOR = TABLE.by_name("glucose_capteur").id
BLOOD = TABLE.by_name("glycemie").id
UTC = dt.UTC


def parse(name: str) -> lines.Export:
    return clarity.parse((FIXTURES / name).read_bytes(), patient_id=3)


def line(export: lines.Export, number: int) -> lines.Line:
    return next(found for found in export.lines if found.number == number)


def only(export: lines.Export, number: int) -> lines.Sourced:
    (found,) = line(export, number).readings
    return found


def test_g7_export_gives_exact_counts() -> None:
    counts = parse("clarity_mgdl_g7.csv").counts()
    assert counts.lines == 20
    assert counts.readings == 6
    assert counts.by_kind == {SENSOR: 5, BLOOD: 1}
    assert counts.skipped == {lines.Skip.SETTING: 10, lines.Skip.NOT_GLUCOSE: 3}
    assert (counts.refused, counts.bounds) == (1, 2)


def test_alert_thresholds_in_the_glucose_column_are_not_readings() -> None:
    export = parse("clarity_mgdl_g7.csv")
    assert line(export, 6).skipped is lines.Skip.SETTING  # Alert High, 200 mg/dL
    assert line(export, 6).note == "Alert High"
    assert all(not line(export, n).readings for n in range(2, 12))


def test_egv_instants_are_paris_local_time_with_seconds() -> None:
    found = only(parse("clarity_mgdl_g7.csv"), 12).reading
    assert found.instant == dt.datetime(2026, 1, 13, 23, 2, 31, tzinfo=UTC)
    assert (found.kind, found.value, found.patient_id) == (SENSOR, 112.0, 3)


def test_low_and_high_count_one_unit_beyond_the_dexcom_range_and_are_flagged() -> None:
    export = parse("clarity_mgdl_g7.csv")
    low, high = only(export, 14), only(export, 15)
    assert (low.reading.value, low.bound) == (39.0, lines.Bound.BELOW)
    assert (high.reading.value, high.bound) == (401.0, lines.Bound.ABOVE)


def test_a_calibration_is_a_blood_glucose_reading() -> None:
    calibration = only(parse("clarity_mgdl_g7.csv"), 17).reading
    assert (calibration.kind, calibration.value) == (BLOOD, 128.0)


def test_insulin_carbs_and_exercise_are_skipped_with_their_event() -> None:
    export = parse("clarity_mgdl_g7.csv")
    notes = [line(export, n).note for n in (18, 19, 20)]
    assert notes == ["Insulin Fast-Acting", "Carbs", "Exercise Medium"]


def test_a_word_in_the_glucose_column_is_refused_and_the_next_egv_kept() -> None:
    export = parse("clarity_mgdl_g7.csv")
    assert export.refusals == (
        lines.Refusal(16, "'abc' is not a glucose value", "Glucose Value (mg/dL)"),
    )
    assert only(export, 21).reading.value == 131.0


def test_transmitter_id_and_time_are_the_origin() -> None:
    origin = only(parse("clarity_mgdl_g7.csv"), 12).origin
    assert origin == lines.Origin(lines.Source.CLARITY, "012345678901", "863551")


def test_the_name_rows_are_shown_never_identity() -> None:
    export = parse("clarity_mgdl_g7.csv")
    assert export.metadata.patient_name == "Jean Exemple"
    assert {r.reading.patient_id for r in export.readings} == {3}


def test_mmol_export_converts_and_refuses_implausible_values() -> None:
    export = parse("clarity_mmol_g6.csv")
    assert export.metadata.unit == "mmol/L"
    assert only(export, 8).reading.value == pytest.approx(22.0 * 18.016)
    (refusal,) = export.refusals
    assert (refusal.line, refusal.field) == (9, "Glucose Value (mmol/L)")
    assert "implausible" in refusal.reason


def test_without_a_transmitter_id_column_the_source_device_is_the_origin() -> None:
    origin = only(parse("clarity_mmol_g6.csv"), 5).origin
    assert origin == lines.Origin(lines.Source.CLARITY, "iOS G6", "7200")


def test_a_phone_clock_jumping_forward_in_march_keeps_five_minute_steps() -> None:
    export = parse("clarity_mmol_g6.csv")
    instants = [only(export, n).reading.instant for n in (5, 6, 7)]
    assert instants == [
        dt.datetime(2026, 3, 29, 0, 55, tzinfo=UTC),
        dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 29, 1, 5, tzinfo=UTC),
    ]


HEADER = (
    "Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,Event Subtype,Patient Info,Device Info,"
    "Source Device ID,Glucose Value (mg/dL),Transmitter Time (Long Integer),Transmitter ID"
)


def test_the_october_overlap_follows_the_transmitter_clock() -> None:
    walls = ["01:55", "02:00", "02:55", "02:00", "02:55", "03:00"]
    # Written out of order: the transmitter's own clock says which 02:00 came first.
    order = [0, 3, 1, 4, 2, 5]
    rows = [
        f"{i},2026-10-25T{walls[i]}:00,EGV,,,,iOS G7,{100 + i},{1000 + 300 * i},TX1" for i in order
    ]
    export = clarity.parse("\n".join([HEADER, *rows]).encode(), patient_id=3)
    by_value = {r.reading.value: r.reading.instant.time() for r in export.readings}
    assert by_value == {
        100.0: dt.time(23, 55),
        101.0: dt.time(0, 0),
        102.0: dt.time(0, 55),
        103.0: dt.time(1, 0),
        104.0: dt.time(1, 55),
        105.0: dt.time(2, 0),
    }


def test_a_row_without_event_type_is_refused() -> None:
    export = clarity.parse(f"{HEADER}\n1,2026-01-01T00:00:00,,,,,x,100,,\n".encode(), patient_id=3)
    assert export.refusals == (lines.Refusal(2, "no Event Type", "Event Type"),)


def test_a_file_without_a_clarity_header_is_refused() -> None:
    with pytest.raises(lines.ExportError, match="no Dexcom Clarity header"):
        clarity.parse(b"Index,Time,Value\n1,2,3\n", patient_id=3)
