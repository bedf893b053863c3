"""The chart data for every indication: titles and units as people write them, in the reader's
language, thresholds in words, holes over the days without data."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings
from telesurveillance.domain import calendar
from telesurveillance.domain.measures import reading
from telesurveillance.domain.measures import table as measures
from telesurveillance.web.i18n import messages
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock

DAY = dt.timedelta(days=1)


def _pressure(engine: sa.Engine, patient: int, days: list[dt.date]) -> None:
    batch = []
    for d in days:
        ts = reading.millis(dt.datetime.combine(d, dt.time(8), tzinfo=calendar.PARIS))
        batch += [reading.Reading(patient, 2, ts, 135.0), reading.Reading(patient, 3, ts, 80.0)]
    with database.writing(engine) as conn:
        readings.store(conn, batch)


def test_a_day_without_data_is_a_hole_in_the_line(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 6 * DAY
    days = [start, start + DAY, start + 3 * DAY, start + 4 * DAY]  # day 3 without data
    patient = add_patient("insuffisance_cardiaque", start, days)
    (weight,) = make_client(now=clock).get(f"/ui/patients/{patient}/series").json()["series"]
    assert weight["y"] == [70.0, 70.0, None, 70.0, 70.0]
    assert weight["x"] == sorted(weight["x"])


def test_blood_pressure_reads_mmhg_with_thresholds_in_words(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_renale", TODAY - 3 * DAY, [])
    _pressure(engine, patient, [TODAY - 2 * DAY, TODAY - DAY])
    data = make_client(now=clock).get(f"/ui/patients/{patient}/series").json()
    systolic = next(s for s in data["series"] if s["kind"] == "pression_systolique")
    assert systolic["label"] == "Pression artérielle systolique"
    assert systolic["unit"] == "mmHg"
    labels = [t["label"] for t in systolic["thresholds"]]
    assert "Seuil d'alerte ≥ 180 mmHg (sévérité élevée)" in labels
    assert "mm[Hg]" not in str(data)


def test_the_chart_titles_and_thresholds_speak_english_when_asked(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_renale", TODAY - 3 * DAY, [])
    _pressure(engine, patient, [TODAY - DAY])
    client = make_client(now=clock)
    client.cookies.set("tsv_lang", "en")
    data = client.get(f"/ui/patients/{patient}/series").json()
    systolic = next(s for s in data["series"] if s["kind"] == "pression_systolique")
    assert systolic["label"] == "Systolic blood pressure"
    labels = [t["label"] for t in systolic["thresholds"]]
    assert "Alert threshold ≥ 180 mmHg (high severity)" in labels


@pytest.mark.parametrize("kind", measures.packaged().kinds, ids=lambda k: k.name)
def test_every_measurement_kind_has_a_title_and_no_ucum_code_as_unit(
    kind: measures.Kind,
) -> None:
    for lang in messages.LANGUAGES:
        assert messages.known(f"measure.{kind.name}")
        if messages.known(f"unit.{kind.name}"):
            shown = messages.translate(f"unit.{kind.name}", lang)
            assert "[" not in shown
            assert "{" not in shown
            assert shown != "Cel"
