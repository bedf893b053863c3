"""LibreView exports: both languages, both date orders, both units, duplicates, bad lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from telesurveillance.adapters.cgm import libreview, lines, localtime
from telesurveillance.domain.measures import table as measures

FIXTURES = Path(__file__).parents[2] / "fixtures" / "cgm"
TABLE = measures.packaged()
SENSOR = TABLE.by_name("glucose_capteur").id
BLOOD = TABLE.by_name("glycemie").id
UTC = dt.UTC


def parse(name: str, **options: object) -> lines.Export:
    return libreview.parse((FIXTURES / name).read_bytes(), patient_id=7, **options)  # type: ignore[arg-type]


def line(export: lines.Export, number: int) -> lines.Line:
    return next(found for found in export.lines if found.number == number)


def only(export: lines.Export, number: int) -> lines.Sourced:
    (found,) = line(export, number).readings
    return found


def test_english_month_first_export_gives_exact_counts() -> None:
    export = parse("libreview_en_mgdl_month_first.csv")
    counts = export.counts()
    assert counts.lines == 15
    assert counts.readings == 8
    assert counts.by_kind == {SENSOR: 7, BLOOD: 1}
    assert counts.skipped == {lines.Skip.DUPLICATE: 1, lines.Skip.NOT_GLUCOSE: 4}
    assert [r.line for r in export.refusals] == [8, 17]
    assert export.metadata.language == "en"
    assert export.metadata.date_order == "MDY"
    assert export.metadata.unit == "mg/dL"


def test_twelve_hour_times_read_in_paris_time() -> None:
    export = parse("libreview_en_mgdl_month_first.csv")
    first = only(export, 3).reading  # 01-13-2026 11:58 PM, winter time
    assert first.instant == dt.datetime(2026, 1, 13, 22, 58, tzinfo=UTC)
    assert first.value == 104.0
    assert only(export, 4).reading.instant == dt.datetime(2026, 1, 13, 23, 13, tzinfo=UTC)


def test_the_historic_reading_is_kept_over_a_scan_at_the_same_minute() -> None:
    export = parse("libreview_en_mgdl_month_first.csv")
    assert only(export, 9).reading.value == 86.0
    duplicate = line(export, 10)
    assert duplicate.skipped is lines.Skip.DUPLICATE
    assert "line 9" in duplicate.note


def test_a_scan_at_its_own_minute_and_a_strip_are_readings() -> None:
    export = parse("libreview_en_mgdl_month_first.csv")
    assert only(export, 11).reading.kind == SENSOR
    strip = only(export, 12).reading
    assert (strip.kind, strip.value) == (BLOOD, 138.0)


def test_insulin_food_notes_and_ketones_are_skipped_with_their_type() -> None:
    export = parse("libreview_en_mgdl_month_first.csv")
    assert [line(export, n).note for n in (13, 14, 15, 16)] == [
        "insulin",
        "food (carbohydrates)",
        "note or event",
        "ketone",
    ]


def test_bad_lines_are_refused_by_number_and_column_and_the_others_kept() -> None:
    export = parse("libreview_en_mgdl_month_first.csv")
    implausible, bad_date = export.refusals
    assert (implausible.line, implausible.field) == (8, "Historic Glucose mg/dL")
    assert "implausible" in implausible.reason
    assert (bad_date.line, bad_date.field) == (17, "Device Timestamp")
    assert only(export, 7).reading.value == 88.0
    assert only(export, 9).reading.value == 86.0


def test_the_serial_number_is_the_origin_and_the_file_name_is_not_identity() -> None:
    export = parse("libreview_en_mgdl_month_first.csv")
    origin = only(export, 3).origin
    assert origin == lines.Origin(lines.Source.LIBREVIEW, "00000000-aaaa-bbbb-cccc-000000000001")
    assert {r.reading.patient_id for r in export.readings} == {7}
    assert export.metadata.exported_by == "Jane Example"
    assert export.metadata.exported_on == "01-16-2026 08:05 AM UTC"


def test_french_mmol_export_with_bom_and_decimal_commas() -> None:
    export = parse("libreview_fr_mmol_day_first.csv")
    meta = export.metadata
    assert (meta.language, meta.date_order, meta.unit, meta.encoding) == (
        "fr",
        "DMY",
        "mmol/L",
        "utf-8",
    )
    counts = export.counts()
    assert (counts.lines, counts.readings, counts.refused, counts.bounds) == (9, 6, 1, 1)
    first = only(export, 3).reading  # 14-01-2026 00:04, 5,8 mmol/L
    assert first.instant == dt.datetime(2026, 1, 13, 23, 4, tzinfo=UTC)
    assert first.value == pytest.approx(5.8 * 18.016)
    assert only(export, 10).reading.kind == BLOOD


def test_lo_is_stored_below_the_libre_range_and_flagged() -> None:
    low = only(parse("libreview_fr_mmol_day_first.csv"), 6)
    assert (low.reading.value, low.bound) == (39.0, lines.Bound.BELOW)


def test_an_empty_glucose_cell_is_refused_naming_the_french_column() -> None:
    refusal = line(parse("libreview_fr_mmol_day_first.csv"), 7).refusal
    assert refusal == lines.Refusal(
        7, "no value in Historique de la glycémie mmol/L", "Historique de la glycémie mmol/L"
    )


def test_a_scan_written_after_its_historic_twin_is_the_duplicate() -> None:
    export = parse("libreview_fr_mmol_day_first.csv")
    assert line(export, 9).skipped is lines.Skip.DUPLICATE
    assert only(export, 5).reading.value == pytest.approx(5.4 * 18.016)


def test_a_spreadsheet_resave_with_semicolons_and_windows_1252_still_reads() -> None:
    export = parse("libreview_fr_spreadsheet_semicolon_cp1252.csv")
    meta = export.metadata
    assert (meta.delimiter, meta.encoding, meta.date_order) == (";", "cp1252", "DMY")
    assert export.counts().readings == 5
    assert only(export, 3).reading.instant == dt.datetime(2026, 1, 20, 7, 0, tzinfo=UTC)


def test_a_file_whose_dates_read_both_ways_is_refused_not_guessed() -> None:
    with pytest.raises(lines.ExportError, match="ambiguous"):
        parse("libreview_en_mmol_ambiguous_dates.csv")


def test_the_caller_settles_an_ambiguous_order() -> None:
    export = parse(
        "libreview_en_mmol_ambiguous_dates.csv", date_order=localtime.DateOrder.DAY_FIRST
    )
    assert only(export, 3).reading.instant == dt.datetime(2026, 1, 3, 7, 0, tzinfo=UTC)
    export = parse(
        "libreview_en_mmol_ambiguous_dates.csv", date_order=localtime.DateOrder.MONTH_FIRST
    )
    assert only(export, 3).reading.instant == dt.datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def test_an_order_the_dates_contradict_is_refused_with_the_line() -> None:
    with pytest.raises(lines.ExportError, match="line 3"):
        parse("libreview_en_mgdl_month_first.csv", date_order=localtime.DateOrder.DAY_FIRST)


def test_reparsing_the_same_file_yields_the_same_readings() -> None:
    assert parse("libreview_en_mgdl_month_first.csv") == parse("libreview_en_mgdl_month_first.csv")


def test_another_zone_moves_the_instants() -> None:
    from zoneinfo import ZoneInfo

    export = parse("libreview_fr_mmol_day_first.csv", zone=ZoneInfo("America/Montreal"))
    assert only(export, 3).reading.instant == dt.datetime(2026, 1, 14, 5, 4, tzinfo=UTC)
    assert export.metadata.zone == "America/Montreal"


def test_a_file_without_a_libreview_header_is_refused() -> None:
    with pytest.raises(lines.ExportError, match="no LibreView header"):
        libreview.parse(b"Date,Glucose\n2026-01-01,100\n", patient_id=7)


HEADER = (
    "Device,Serial Number,Device Timestamp,Record Type,Historic Glucose mg/dL,Scan Glucose mg/dL"
)


def export_of(*rows: str) -> lines.Export:
    return libreview.parse("\n".join([HEADER, *rows]).encode(), patient_id=7)


def test_the_march_gap_reads_with_the_winter_offset() -> None:
    export = export_of("L,S,20-03-2026 10:00,0,100", "L,S,29-03-2026 02:30,0,110")
    assert only(export, 3).reading.instant == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_october_overlap_reads_first_summer_then_winter_time() -> None:
    export = export_of(
        "L,S,25-10-2026 02:15,0,100",
        "L,S,25-10-2026 02:30,0,101",
        "L,S,25-10-2026 02:15,0,102",
        "L,S,25-10-2026 03:15,0,103",
    )
    instants = [only(export, n).reading.instant.time() for n in (2, 3, 4, 5)]
    assert instants == [dt.time(0, 15), dt.time(0, 30), dt.time(1, 15), dt.time(2, 15)]


def test_the_same_wall_time_on_two_devices_is_not_a_second_pass() -> None:
    export = export_of("L,A,25-10-2026 02:15,0,100", "L,B,25-10-2026 02:15,0,100")
    assert only(export, 2).reading.instant.time() == dt.time(0, 15)
    assert line(export, 3).skipped is lines.Skip.DUPLICATE


def test_an_unknown_record_type_is_skipped_and_a_non_numeric_one_refused() -> None:
    export = export_of("L,S,20-03-2026 10:00,0,100", "L,S,20-03-2026 10:05,9,", "L,S,x,y,")
    assert line(export, 3).note == "record type 9"
    assert line(export, 4).refusal == lines.Refusal(
        4, "record type 'y' is not a number", "Record Type"
    )


def test_a_strip_record_without_a_strip_column_is_refused() -> None:
    export = export_of("L,S,20-03-2026 10:00,2,")
    assert export.refusals[0].reason.startswith("record type 2 needs a strip glucose column")
