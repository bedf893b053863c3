"""Which export a file is, and parsing it with the right parser.

Detection reads the header, not the file name: care teams rename downloads.
"""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo

from telesurveillance.adapters.cgm import clarity, libreview, lines, localtime, text
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import table as measures


class Format(StrEnum):
    LIBREVIEW = "libreview"
    CLARITY = "clarity"


def detect(data: bytes) -> Format | None:
    """The export format of `data`, or `None` if it is neither a LibreView nor a Clarity file."""
    content, _ = text.decode(data)
    if text.find_header(content, lambda cells: libreview.header(cells) is not None):
        return Format.LIBREVIEW
    if text.find_header(content, lambda cells: clarity.header(cells) is not None):
        return Format.CLARITY
    return None


def parse(
    data: bytes,
    *,
    patient_id: int,
    zone: ZoneInfo = calendar.PARIS,
    date_order: localtime.DateOrder | None = None,
    table: measures.Table | None = None,
) -> lines.Export:
    """Parse `data` with the parser of its detected format; refuses an unknown file."""
    match detect(data):
        case Format.LIBREVIEW:
            return libreview.parse(
                data, patient_id=patient_id, zone=zone, date_order=date_order, table=table
            )
        case Format.CLARITY:
            return clarity.parse(
                data, patient_id=patient_id, zone=zone, date_order=date_order, table=table
            )
        case None:
            raise lines.ExportError(
                "not a LibreView or Dexcom Clarity export: no known header in the first "
                f"{text.HEADER_WITHIN} lines"
            )
