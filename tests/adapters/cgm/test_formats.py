"""Telling the exports apart by their header, and reading files as spreadsheets write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from telesurveillance.adapters.cgm import formats, lines, text

FIXTURES = Path(__file__).parents[2] / "fixtures" / "cgm"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("libreview_en_mgdl_month_first.csv", formats.Format.LIBREVIEW),
        ("libreview_fr_mmol_day_first.csv", formats.Format.LIBREVIEW),
        ("libreview_fr_spreadsheet_semicolon_cp1252.csv", formats.Format.LIBREVIEW),
        ("clarity_mgdl_g7.csv", formats.Format.CLARITY),
        ("clarity_mmol_g6.csv", formats.Format.CLARITY),
    ],
)
def test_each_fixture_is_detected_by_its_header(name: str, expected: formats.Format) -> None:
    data = (FIXTURES / name).read_bytes()
    assert formats.detect(data) is expected
    assert formats.parse(data, patient_id=1).source.value == expected.value


def test_an_unknown_file_is_refused_with_a_clear_error() -> None:
    assert formats.detect(b"patient,code,effective,value,unit\n") is None
    with pytest.raises(lines.ExportError, match="not a LibreView or Dexcom Clarity export"):
        formats.parse(b"patient,code,effective,value,unit\n", patient_id=1)


def test_a_header_below_the_first_thirty_lines_is_not_looked_for() -> None:
    late = b"x\n" * text.HEADER_WITHIN + b"Device Timestamp,Record Type,Historic Glucose mg/dL\n"
    assert formats.detect(late) is None


@pytest.mark.parametrize(
    ("written", "value"), [("5.8", 5.8), ("5,8", 5.8), ("120", 120.0), (",5", 0.5), ("-1", -1.0)]
)
def test_numbers_take_a_point_or_a_comma(written: str, value: float) -> None:
    assert text.number(written) == value


@pytest.mark.parametrize("written", ["", "5.8.1", "1e3", "nan", "inf", "5,8 mmol", "HI"])
def test_anything_else_is_not_a_number(written: str) -> None:
    with pytest.raises(ValueError, match="number"):
        text.number(written)


def test_quoted_newlines_keep_the_physical_line_numbers() -> None:
    found = list(text.rows('a,b\r\n"note\r\nspanning",c\r\nd,e\r\n', ","))
    assert found == [(1, ["a", "b"]), (2, ["note\r\nspanning", "c"]), (4, ["d", "e"])]


def test_windows_1252_is_read_when_the_bytes_are_not_utf8() -> None:
    assert text.decode("Numéro de série".encode("cp1252")) == ("Numéro de série", "cp1252")
    assert text.decode(b"\xef\xbb\xbfDevice") == ("Device", "utf-8")
