"""Any language, unit, date order, delimiter, BOM and line ending reads back what was written."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from telesurveillance.adapters.cgm import formats, lines, localtime
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import table as measures

TABLE = measures.packaged()
SENSOR = TABLE.by_name("glucose_capteur")
HEADERS = {
    "en": ("Device", "Serial Number", "Device Timestamp", "Record Type", "Historic Glucose {u}"),
    "fr": (
        "Appareil",
        "Numéro de série",
        "Horodatage de l'appareil",
        "Type d'enregistrement",
        "Historique de la glycémie {u}",
    ),
}
STAMPS = {
    "DMY": "%d-%m-%Y %H:%M",
    "DMY/": "%d/%m/%Y %H:%M",
    "MDY": "%m-%d-%Y %I:%M %p",
    "MDY24": "%m/%d/%Y %H:%M",
}
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
#: Makes the date order readable whatever else is drawn: the 20th cannot be a month.
ANCHOR = dt.datetime(2026, 1, 20, 11, 0, tzinfo=dt.UTC)


def _plain(moment: dt.datetime) -> bool:
    wall = moment.astimezone(calendar.PARIS).replace(tzinfo=None)
    return localtime.transition(wall, calendar.PARIS) is localtime.Transition.NONE


minutes = st.sets(st.integers(0, 365 * 24 * 60 - 1), min_size=1, max_size=40)
mgdl = st.integers(40, 400).map(float)
mmol = st.integers(22, 222).map(lambda tenths: tenths / 10)


@settings(max_examples=60, deadline=None)
@given(
    offsets=minutes,
    language=st.sampled_from(["en", "fr"]),
    unit=st.sampled_from(["mg/dL", "mmol/L"]),
    stamp=st.sampled_from(sorted(STAMPS)),
    delimiter=st.sampled_from([",", ";"]),
    bom=st.booleans(),
    newline=st.sampled_from(["\r\n", "\n"]),
    data=st.data(),
)
def test_any_export_variant_round_trips(
    offsets: set[int],
    language: str,
    unit: str,
    stamp: str,
    delimiter: str,
    bom: bool,
    newline: str,
    data: st.DataObject,
) -> None:
    instants = [ANCHOR] + [
        m for m in (START + dt.timedelta(minutes=o) for o in sorted(offsets)) if _plain(m)
    ]
    instants = sorted(set(instants))
    values = [data.draw(mgdl if unit == "mg/dL" else mmol) for _ in instants]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(["Glucose Data", "Generated on", "01-01-2026 00:00 UTC"])
    writer.writerow([h.format(u=unit) for h in HEADERS[language]])
    for moment, value in zip(instants, values, strict=True):
        wall = moment.astimezone(calendar.PARIS).strftime(STAMPS[stamp])
        written = f"{value:g}" if language == "en" else f"{value:g}".replace(".", ",")
        writer.writerow(["FreeStyle Libre 2", "SERIAL", wall, "0", written])
    raw = out.getvalue().encode("utf-8")
    export = formats.parse(b"\xef\xbb\xbf" + raw if bom else raw, patient_id=1)
    assert export.refusals == ()
    got = [(r.reading.instant, r.reading.value) for r in export.readings]
    assert got == [(m, SENSOR.normalise(v, unit)) for m, v in zip(instants, values, strict=True)]
    assert export.metadata.language == language
    assert export.metadata.date_order == stamp[:3]
    assert export.readings[0].origin == lines.Origin(lines.Source.LIBREVIEW, "SERIAL")
