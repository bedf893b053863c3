"""Reading export files as the platforms and spreadsheets write them.

Exports are UTF-8, with or without a byte-order mark; a file saved again by a French spreadsheet
is Windows-1252 with semicolons and decimal commas. Lines end in CRLF or LF. The header is found
by content (the platforms write metadata lines before it), with the delimiter that makes it one.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence

DELIMITERS = (",", ";", "\t")
#: How many physical lines may precede the header (LibreView writes one, Clarity none).
HEADER_WITHIN = 30

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding read: UTF-8 (BOM stripped), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the physical line number it starts on (quoted newlines allowed)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for row in reader:
        yield start, [cell.strip() for cell in row]
        start = reader.line_num + 1


def find_header(
    text: str, is_header: Callable[[Sequence[str]], bool]
) -> tuple[str, int, list[str]] | None:
    """The delimiter, line number and cells of the first line `is_header` accepts."""
    for delimiter in DELIMITERS:
        for number, cells in rows(text, delimiter):
            if number > HEADER_WITHIN:
                break
            if is_header(cells):
                return delimiter, number, cells
    return None


def number(text: str) -> float:
    """A decimal written with a point or a comma ("5.8", "5,8"); refuses anything else."""
    if not _NUMBER.match(text):
        raise ValueError(f"{text!r} is not a number")
    value = float(text.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def cell(cells: Sequence[str], index: int | None) -> str:
    """The cell at `index`, or "" when the column is absent or the row is short (ragged rows)."""
    if index is None or index >= len(cells):
        return ""
    return cells[index]
