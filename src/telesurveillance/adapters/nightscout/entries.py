"""Nightscout `entries`: uploads to readings, readings to the documents `GET` returns.

Entry types (`lib/server/entries.js`, docs/data-schemas/entries-schema.md): `sgv` (sensor
glucose, mg/dL) is `glucose_capteur`; `mbg` (meter blood glucose, mg/dL) is `glycemie`; `cal`
(calibration slope/intercept/scale) is acknowledged, not a measurement; other types are
acknowledged and skipped. The instant is `date` (epoch ms), else `dateString` (ISO 8601 with
offset), else `sysTime`. An `sgv` below 39 is a Dexcom error code, not glucose; 39 and 401 are
Nightscout's LOW and HIGH (`lib/sandbox.js` `displayBg`): stored as sent and flagged as bounds.
The sender's identifier is `identifier`, else its `_id`; its device, the `device` string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from telesurveillance.adapters.cgm import lines
from telesurveillance.adapters.nightscout import fields, ids
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures

INSTANT = ("date", "dateString", "sysTime")
IDENTIFIERS = ("identifier", "_id")
LOW, HIGH = 39.0, 401.0
#: Dexcom special values (cgm-remote-monitor `lib/plugins/errorcodes.js`).
ERROR_CODES = {
    1: "?SN sensor not active",
    2: "?MD minimal deviation",
    3: "?NA no antenna",
    5: "?NC sensor not calibrated",
    6: "?CD counts deviation",
    9: "?AD absolute deviation",
    10: "??? power deviation",
    12: "?RF bad RF",
}
TYPES = {"sgv": ("glucose_capteur", "sgv"), "mbg": ("glycemie", "mbg")}


def parse(
    documents: Sequence[Mapping[str, Any]], *, patient_id: int, table: measures.Table | None = None
) -> tuple[lines.Line, ...]:
    """One line per uploaded document, numbered from 1 in upload order."""
    table = table or measures.packaged()
    return tuple(_one(n, doc, patient_id, table) for n, doc in enumerate(documents, start=1))


def _one(
    number: int, document: Mapping[str, Any], patient_id: int, table: measures.Table
) -> lines.Line:
    kind_name = fields.text(document, "type") or next((t for t in TYPES if t in document), "")
    if kind_name == "cal":
        return lines.Line(number, skipped=lines.Skip.CALIBRATION, note="cal")
    if kind_name not in TYPES:
        note = f"entry type {kind_name!r}" if kind_name else "entry without type or value"
        return lines.Line(number, skipped=lines.Skip.NOT_GLUCOSE, note=note)
    kind_label, member = TYPES[kind_name]
    kind = table.by_name(kind_label)
    try:
        value = fields.number(document, member)
        ts = fields.instant_ms(document, INSTANT)
        bound = None
        if kind_name == "sgv" and value < LOW:
            code = ERROR_CODES.get(int(value), "unknown code")
            note = f"sensor error code {value:g} ({code})"
            return lines.Line(number, skipped=lines.Skip.SENSOR_ERROR, note=note)
        if kind_name == "sgv" and value in (LOW, HIGH):
            bound = lines.Bound.BELOW if value == LOW else lines.Bound.ABOVE
        canonical = kind.normalise(value, "mg/dL", member)
    except fields.Bad as error:
        return fields.refused(number, error)
    except measures.MeasurementError as error:
        return fields.refused(number, fields.Bad(str(error), member))
    origin = lines.Origin(
        lines.Source.NIGHTSCOUT,
        fields.text(document, "device"),
        fields.record_id(document, IDENTIFIERS),
    )
    found = reading.Reading(patient_id, kind.id, ts, canonical)
    return lines.Line(number, (lines.Sourced(found, origin, bound),))


def document(
    found: reading.Reading,
    *,
    table: measures.Table | None = None,
    device: str = "",
    identifier: str | None = None,
    delta: float | None = None,
) -> dict[str, Any]:
    """The entry `GET /api/v1/entries` returns for a stored reading (sgv or mbg, in mg/dL)."""
    table = table or measures.packaged()
    name = table.by_id(found.kind).name
    type_name = next((t for t, (k, _) in TYPES.items() if k == name), None)
    if type_name is None:
        raise ValueError(f"{name} readings are not Nightscout entries")
    stamp = found.instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    entry: dict[str, Any] = {
        "_id": ids.entry_id(found.patient_id, found.kind, found.ts),
        "type": type_name,
        "date": found.ts,
        "dateString": stamp,
        "sysTime": stamp,
        "utcOffset": 0,
        type_name: round(found.value),
    }
    if device:
        entry["device"] = device
    if identifier:
        entry["identifier"] = identifier
    if delta is not None:
        entry["delta"] = round(delta, 3)
    return entry


def deltas(
    newest_first: Sequence[reading.Reading], older: reading.Reading | None
) -> list[float | None]:
    """Each reading's change from the next older reading of its kind in the list (or `older`);
    `None` when there is none. Nightscout stores the uploader's `delta`; we compute it, because
    clients such as py-nightscout fail on an `sgv` without one."""
    found: list[float | None] = []
    series = [*newest_first, *([older] if older is not None else [])]
    for i, current in enumerate(newest_first):
        before = next((r for r in series[i + 1 :] if r.kind == current.kind), None)
        found.append(None if before is None else current.value - before.value)
    return found
