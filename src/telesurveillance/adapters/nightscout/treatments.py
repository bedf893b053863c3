"""Nightscout `treatments`: acknowledged, and a finger-stick glucose kept as a reading.

Uploaders send insulin, carbohydrates, temporary basals, profile switches, sensor starts and
notes as treatments (docs/data-schemas/treatments-schema.md). The platform measures glucose,
not therapy, so those are acknowledged — the uploader gets its `_id`s and stops retrying — and
not stored. A treatment carrying `glucose` measured on blood (`glucoseType` `Finger` or
`Manual`, or a `BG Check` without `glucoseType`) is a `glycemie` reading, in its `units`
(`mg/dl` or `mmol`, else the site's units); a `Sensor` glucose only repeats the CGM entry.
The instant is `created_at`, else `timestamp` (xDrip+ sends epoch ms), else `mills`/`date`.
The sender's identifier is `identifier` (AndroidAPS), `syncIdentifier` (Loop), `uuid`
(xDrip+) or `_id`; its device, `enteredBy`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from telesurveillance.adapters.cgm import lines
from telesurveillance.adapters.nightscout import fields
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures

INSTANT = ("created_at", "timestamp", "mills", "date")
IDENTIFIERS = ("identifier", "syncIdentifier", "uuid", "_id")
BLOOD = ("finger", "manual")
UNITS = {"mg/dl": "mg/dL", "mgdl": "mg/dL", "mmol": "mmol/L", "mmol/l": "mmol/L"}


def parse(
    documents: Sequence[Mapping[str, Any]],
    *,
    patient_id: int,
    site_units: str = "mg/dL",
    table: measures.Table | None = None,
) -> tuple[lines.Line, ...]:
    """One line per uploaded treatment, numbered from 1 in upload order."""
    table = table or measures.packaged()
    kind = table.by_name("glycemie")
    return tuple(
        _one(n, doc, patient_id, site_units, kind) for n, doc in enumerate(documents, start=1)
    )


def _one(
    number: int,
    document: Mapping[str, Any],
    patient_id: int,
    site_units: str,
    kind: measures.Kind,
) -> lines.Line:
    event = fields.text(document, "eventType") or "treatment"
    if document.get("glucose") in (None, ""):
        return lines.Line(number, skipped=lines.Skip.NOT_GLUCOSE, note=event)
    method = fields.text(document, "glucoseType").lower()
    if method not in BLOOD and not (not method and event.lower() == "bg check"):
        note = f"{event} with a {method or 'unspecified'} glucose (not a blood measurement)"
        return lines.Line(number, skipped=lines.Skip.NOT_GLUCOSE, note=note)
    written = fields.text(document, "units")
    unit = UNITS.get(written.lower().replace(" ", "")) if written else site_units
    try:
        if unit is None:
            raise fields.Bad(f"units {written!r} is neither mg/dl nor mmol", "units")
        value = kind.normalise(fields.number(document, "glucose"), unit, "glucose")
        ts = fields.instant_ms(document, INSTANT)
    except fields.Bad as error:
        return fields.refused(number, error)
    except measures.MeasurementError as error:
        return fields.refused(number, fields.Bad(str(error), "glucose"))
    origin = lines.Origin(
        lines.Source.NIGHTSCOUT,
        fields.text(document, "enteredBy"),
        fields.record_id(document, IDENTIFIERS),
    )
    found = reading.Reading(patient_id, kind.id, ts, value)
    return lines.Line(number, (lines.Sourced(found, origin),))
