"""The FHIR R4 specification's own vital-sign examples, and the HL7 CGM IG's sensor readings,
parsed unchanged but for the subject: each gives the exact reading (kind, canonical value,
instant). The R4 examples are dated 1999-2016, before the LATM common law: here the window's
floor is set before them so that what is tested is the reading of the resource; the floor
itself is tested on the API (tests/web/fhir/test_published_examples.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from telesurveillance.adapters.fhir import observations, outcome
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import instants, reading
from telesurveillance.domain.measures import table as measures

EXAMPLES = Path(__file__).parents[2] / "fixtures" / "fhir-r4-examples"
TABLE = measures.packaged()
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
#: a floor before the oldest example (1999): the parsing, not the common-law floor, is tested
WINDOW = instants.window(NOW, dt.timedelta(minutes=5), dt.date(1999, 1, 1))
PATIENT = 7


def example(name: str) -> dict[str, Any]:
    """A published example, the subject replaced by one of our patients."""
    resource: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    resource["subject"] = {"reference": f"Patient/{PATIENT}"}
    return resource


def utc(text: str) -> int:
    return reading.millis(dt.datetime.fromisoformat(text))


def kind(name: str) -> int:
    return TABLE.by_name(name).id


#: file → the readings it stores: (kind name, canonical value, UTC instant)
EXPECTED: dict[str, list[tuple[str, float, str]]] = {
    # a date: 00:00 Paris time of 17 September 2012 (summer time, UTC+2)
    "observation-example-bloodpressure.json": [
        ("pression_systolique", 107, "2012-09-16T22:00:00+00:00"),
        ("pression_diastolique", 60, "2012-09-16T22:00:00+00:00"),
    ],
    # 185 [lb_av] × 0.45359237 = 83.91458845 kg, rounded to 6 decimals; 28 March 2016 is the day
    # after the change to summer time
    "observation-example.json": [("poids", 83.914588, "2016-03-27T22:00:00+00:00")],
    "observation-example-heart-rate.json": [
        ("frequence_cardiaque", 44, "1999-07-01T22:00:00+00:00")
    ],
    "observation-example-respiratory-rate.json": [
        ("frequence_respiratoire", 26, "1999-07-01T22:00:00+00:00")
    ],
    "observation-example-body-temperature.json": [
        ("temperature", 36.5, "1999-07-01T22:00:00+00:00")
    ],
    "observation-example-satO2.json": [("spo2", 95, "2014-12-05T08:30:10+00:00")],
    # 15074-8 in mmol/L, 6.3 × 18.016 = 113.5008 mg/dL; effectivePeriod with a start only
    "observation-example-f001-glucose.json": [("glycemie", 113.5008, "2013-04-02T08:30:10+00:00")],
    "observation-example-bmi.json": [("imc", 16.2, "1999-07-01T22:00:00+00:00")],
    # 66.89999999999999 [in_i] × 2.54 = 169.92599999999997… cm, rounded to 169.926
    "observation-example-body-height.json": [("taille", 169.926, "1999-07-01T22:00:00+00:00")],
    "cgm-sensor-reading-mass-per-volume.json": [
        ("glucose_capteur", 120, "2024-05-02T10:15:00+00:00")
    ],
    # 6.7 × 18.016 = 120.7072 mg/dL
    "cgm-sensor-reading-moles-per-volume.json": [
        ("glucose_capteur", 120.7072, "2024-05-02T10:30:00+00:00")
    ],
}


def test_every_example_file_is_checked() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_published_example_gives_its_exact_readings(name: str) -> None:
    found = observations.parse(example(name), TABLE, WINDOW)
    assert found == [
        reading.Reading(PATIENT, kind(k), utc(at), value) for k, value, at in EXPECTED[name]
    ]


def test_a_date_counts_on_that_paris_day() -> None:
    (weight,) = observations.parse(example("observation-example.json"), TABLE, WINDOW)
    assert weight.day == dt.date(2016, 3, 28)
    assert calendar.paris_day(weight.instant) == dt.date(2016, 3, 28)


def test_the_examples_are_refused_by_the_common_law_floor() -> None:
    floor = instants.window(NOW, dt.timedelta(minutes=5), dt.date(2023, 7, 1))
    with pytest.raises(outcome.Invalid) as refused:
        observations.parse(example("observation-example.json"), TABLE, floor)
    assert refused.value.expression == "Observation.effectiveDateTime"
    assert "2016-03-28 is before 2023-07-01" in refused.value.diagnostics
