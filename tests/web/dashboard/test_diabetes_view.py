"""The diabetes view of the patient page: shown for CGM patients, with the consensus targets,
server-rendered (SVG, no script), in French and in English."""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings
from telesurveillance.domain.measures import reading
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import NOW, TODAY, AddPatient, clock

DAY = dt.timedelta(days=1)
SENSOR = 9


def _wear(engine: sa.Engine, patient: int, days: int, *, until: dt.datetime = NOW) -> None:
    """A sensor reading every 5 minutes for `days` days up to `until`: a daily wave between
    about 80 and 220 mg/dL, so every band but the lowest is visited."""
    end = reading.millis(until)
    start = end - days * 86_400_000
    batch = []
    for i, ts in enumerate(range(start, end, 300_000)):
        value = 150 + 70 * math.sin(2 * math.pi * i / 288)
        batch.append(reading.Reading(patient, SENSOR, ts, round(value, 1)))
    with database.writing(engine) as conn:
        readings.store(conn, batch)


def _section(html: str) -> str:
    assert 'id="h-diabetes"' in html
    return html.split('id="diabetes"', 1)[1].split("</section>", 1)[0]


def test_a_cgm_patient_sees_time_in_ranges_gmi_variability_and_the_agp(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - 40 * DAY, [], months=3)
    _wear(engine, patient, 14)
    html = make_client(now=clock).get(f"/ui/patients/{patient}").text
    view = _section(html)
    assert "Glucose du capteur (CGM) — 14 derniers jours" in view
    assert "Temps dans la cible (70–180 mg/dL)" in view
    assert "Temps sous 54 mg/dL" in view
    assert "Temps au-dessus de 250 mg/dL" in view
    assert "GMI (indicateur de gestion du glucose)" in view
    assert "Coefficient de variation" in view
    assert "100 %" in view  # sensor active the whole fortnight
    assert "Données insuffisantes" not in view
    assert 'class="agp-median"' in view
    assert 'class="agp-outer"' in view
    assert "https://doi.org/10.2337/dci19-0028" in view
    assert "diabète de type 1 ou de type 2" in view
    assert "<script" not in view


def test_a_sensor_worn_a_few_days_is_flagged_as_not_enough_data(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - 40 * DAY, [], months=3)
    _wear(engine, patient, 3)
    view = _section(make_client(now=clock).get(f"/ui/patients/{patient}").text)
    assert "Données insuffisantes pour une lecture fiable" in view
    assert "au moins 70 % du temps sur 14 jours" in view


def test_gestational_diabetes_reads_63_to_140_with_targets_marked_for_reference(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete_gestationnel", TODAY - 20 * DAY, [], months=3)
    _wear(engine, patient, 14)
    view = _section(make_client(now=clock).get(f"/ui/patients/{patient}").text)
    assert "Temps dans la cible (63–140 mg/dL)" in view
    assert "Temps sous 63 mg/dL" in view
    assert "ne fixe pas de cibles de temps pour le diabète gestationnel" in view
    assert "grossesse avec diabète de type 1" in view


def test_a_sensor_silent_for_the_fortnight_says_so(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - 60 * DAY, [], months=3)
    _wear(engine, patient, 2, until=NOW - 20 * DAY)
    view = _section(make_client(now=clock).get(f"/ui/patients/{patient}").text)
    assert "Aucune donnée du capteur sur les 14 derniers jours." in view


def test_no_diabetes_view_without_a_sensor_or_without_diabetes(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    capillary = add_patient("diabete", TODAY - 10 * DAY, [TODAY - DAY], months=3)
    heart = add_patient("insuffisance_cardiaque", TODAY - 10 * DAY, [TODAY - DAY])
    _wear(engine, heart, 14)
    client = make_client(now=clock)
    for patient in (capillary, heart):
        assert 'id="h-diabetes"' not in client.get(f"/ui/patients/{patient}").text


def test_the_diabetes_view_speaks_english_when_asked(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - 40 * DAY, [], months=3)
    _wear(engine, patient, 14)
    client = make_client(now=clock)
    client.cookies.set("tsv_lang", "en")
    view = _section(client.get(f"/ui/patients/{patient}").text)
    assert "Sensor glucose (CGM) — last 14 days" in view
    assert "Time in range (70–180 mg/dL)" in view
    assert "Ambulatory glucose profile (AGP)" in view
    assert "Glucose du capteur" not in view
