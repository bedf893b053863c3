"""Dexcom Clarity CSV exports (G6, G7, ONE+, Stelo), as downloaded from Clarity's Export page.

Layout (public descriptions: see docs/data-sources.md and tests/fixtures/cgm/README.md): the
header `Index, Timestamp (YYYY-MM-DDThh:mm:ss), Event Type, Event Subtype, Patient Info,
Device Info, Source Device ID, Glucose Value (mg/dL|mmol/L), Insulin Value (u), Carb Value
(grams), Duration (hh:mm:ss), Glucose Rate of Change (…/min), Transmitter Time (Long Integer),
Transmitter ID`, then rows that are not readings — `FirstName`/`LastName` (Patient Info),
`Device` (Device Info, Source Device ID) and `Alert` settings whose thresholds sit in the
glucose column — then events in the device's local time.

`EGV` (estimated glucose value) rows are sensor glucose (`glucose_capteur`). Dexcom writes
`Low` below its 40 mg/dL floor and `High` above its 400 mg/dL ceiling: they count as readings,
stored one unit beyond the range (39 and 401 mg/dL, the Nightscout LOW/HIGH convention) so an
alert fires and the day counts, and the line is flagged (`lines.Bound`); never as 40 or 400,
which are real values. `Calibration` rows are the patient's own finger-stick blood glucose
(`glycemie`), as xDrip+ uploads calibrations as meter readings. Insulin, carbs, exercise,
health and note events carry no glucose and are skipped with their type.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telesurveillance.adapters.cgm import lines, localtime, resolve, text
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import table as measures

_GLUCOSE = re.compile(r"^glucose value \((mg/dl|mmol/l)\)$")
_UNITS = {"mg/dl": "mg/dL", "mmol/l": "mmol/L"}
_NAMES = {
    "event_type": "event type",
    "subtype": "event subtype",
    "patient_info": "patient info",
    "device_info": "device info",
    "source_device": "source device id",
    "transmitter_time": "transmitter time (long integer)",
    "transmitter_id": "transmitter id",
}
_BOUNDS = {"low": (39.0, lines.Bound.BELOW), "high": (401.0, lines.Bound.ABOVE)}
_READINGS = {"egv": ("glucose_capteur", 0), "calibration": ("glycemie", 0)}
_SETTINGS = {"firstname", "lastname", "dateofbirth", "patientidentifier", "device", "alert"}


@dataclass(frozen=True, slots=True)
class Header:
    timestamp: int
    timestamp_name: str
    glucose: int
    glucose_name: str
    unit: str
    columns: dict[str, int]


def header(cells: Sequence[str]) -> Header | None:
    """The Clarity header these cells form, if they do."""
    names = [" ".join(c.split()).lower() for c in cells]
    stamp = next((i for i, n in enumerate(names) if n.startswith("timestamp")), None)
    glucose = next((i for i, n in enumerate(names) if _GLUCOSE.match(n)), None)
    if stamp is None or glucose is None or "event type" not in names:
        return None
    found = _GLUCOSE.match(names[glucose])
    assert found is not None
    columns = {role: names.index(name) for role, name in _NAMES.items() if name in names}
    return Header(stamp, cells[stamp], glucose, cells[glucose], _UNITS[found[1]], columns)


def parse(
    data: bytes,
    *,
    patient_id: int,
    zone: ZoneInfo = calendar.PARIS,
    date_order: localtime.DateOrder | None = None,
    table: measures.Table | None = None,
) -> lines.Export:
    """Every line of a Clarity export after its header, for `patient_id` (the caller's choice).

    Raises `lines.ExportError` when the file is not a Clarity export.
    """
    table = table or measures.packaged()
    content, encoding = text.decode(data)
    found = text.find_header(content, lambda cells: header(cells) is not None)
    if found is None:
        raise lines.ExportError(
            "no Dexcom Clarity header (Timestamp, Event Type, Glucose Value) found"
        )
    delimiter, header_line, cells = found
    head = header(cells)
    assert head is not None
    pending: list[resolve.Pending] = []
    others: list[lines.Line] = []
    patient: dict[str, str] = {}
    for number, row in text.rows(content, delimiter):
        if number > header_line and any(row):
            _line(number, row, head, table, pending, others, patient)
    order = resolve.order_of(pending, date_order)
    built = resolve.finish(pending, others, patient_id=patient_id, zone=zone, order=order)
    name = " ".join(v for k in ("firstname", "lastname") if (v := patient.get(k, "")))
    return lines.Export(
        lines.Source.CLARITY,
        built,
        lines.Metadata(
            language="en",
            date_order=str(order),
            unit=head.unit,
            delimiter=delimiter,
            encoding=encoding,
            zone=zone.key,
            patient_name=name,
            devices=tuple(sorted({p.origin.device for p in pending})),
        ),
    )


def _line(
    number: int,
    row: list[str],
    head: Header,
    table: measures.Table,
    pending: list[resolve.Pending],
    others: list[lines.Line],
    patient: dict[str, str],
) -> None:
    def col(role: str) -> str:
        return text.cell(row, head.columns.get(role))

    event = col("event_type")
    key = event.replace(" ", "").lower()
    if not event:
        others.append(resolve.refused(number, "no Event Type", "Event Type"))
        return
    if key in _SETTINGS:
        if key in ("firstname", "lastname"):
            patient[key] = col("patient_info")
        note = f"{event} {col('subtype')}".strip()
        others.append(lines.Line(number, skipped=lines.Skip.SETTING, note=note))
        return
    if key not in _READINGS:
        note = f"{event} {col('subtype')}".strip()
        others.append(lines.Line(number, skipped=lines.Skip.NOT_GLUCOSE, note=note))
        return
    kind_name, rank = _READINGS[key]
    raw = text.cell(row, head.glucose)
    try:
        stamp = localtime.parse(text.cell(row, head.timestamp))
    except ValueError as error:
        others.append(resolve.refused(number, str(error), head.timestamp_name))
        return
    words = _BOUNDS if key == "egv" else {}
    try:
        value, bound = resolve.glucose_value(raw, words, head.glucose_name)
    except ValueError as error:
        others.append(resolve.refused(number, str(error), head.glucose_name))
        return
    device = col("transmitter_id") or col("source_device")
    tx_time = col("transmitter_time")
    record = tx_time or None
    pending.append(
        resolve.Pending(
            number=number,
            stamp=stamp,
            kind=table.by_name(kind_name),
            value=value,
            unit=head.unit,
            value_field=head.glucose_name,
            field=head.timestamp_name,
            origin=lines.Origin(lines.Source.CLARITY, device, record),
            series=(device, key),
            rank=rank,
            bound=bound,
            sequence=int(tx_time) if tx_time.isdigit() else 0,
        )
    )
