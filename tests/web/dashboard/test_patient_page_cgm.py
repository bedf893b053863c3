"""The patient page and its chart data with a month of CGM (issue 18, 23e): the chart draws
every extreme of a thinned month and says how it was drawn; a patient without data and a
patient with one reading get the same page and chart data as before."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import readings
from telesurveillance.domain.measures import drawn, reading
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import NOW, TODAY, AddPatient, clock

DAY = dt.timedelta(days=1)
SENSOR = 9
FIVE_MINUTES = 300_000


def _month(engine: sa.Engine, patient: int, low_at: int | None = None) -> list[int]:
    """30 days of sensor glucose every 5 minutes up to now, 110 to 169 mg/dL, with one reading
    at 48 mg/dL at index `low_at`; the instants."""
    end = reading.millis(NOW)
    instants = [end - k * FIVE_MINUTES for k in range(30 * 288, 0, -1)]
    batch = [
        reading.Reading(patient, SENSOR, ts, 48.0 if k == low_at else 110.0 + k % 60)
        for k, ts in enumerate(instants)
    ]
    with database.writing(engine) as conn:
        readings.store(conn, batch)
    return instants


def _sensor(data: dict[str, object]) -> dict[str, object]:
    series = data["series"]
    assert isinstance(series, list)
    return next(s for s in series if s["kind"] == "glucose_capteur")


def test_a_single_five_minute_hypoglycaemia_in_a_month_of_cgm_is_drawn(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - 40 * DAY, [], months=3)
    instants = _month(engine, patient, low_at=5000)
    glucose = _sensor(make_client(now=clock).get(f"/ui/patients/{patient}/series").json())
    assert glucose["readings"] == 30 * 288
    xs, ys = glucose["x"], glucose["y"]
    assert isinstance(xs, list)
    assert isinstance(ys, list)
    assert len(xs) <= 2 * drawn.BUCKETS + 2 < 30 * 288
    assert (instants[5000] / 1000, 48.0) in zip(xs, ys, strict=True)
    assert max(ys) == 169.0
    assert (xs[0], xs[-1]) == (instants[0] / 1000, instants[-1] / 1000)
    assert glucose["drawn"] == (
        "Courbe tracée avec le minimum et le maximum de chaque tranche de 43 min "
        "(8\u202f640 mesures, toutes comptées)."
    )


def test_the_drawing_of_a_thinned_chart_is_said_in_english_too(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - 40 * DAY, [], months=3)
    _month(engine, patient)
    client = make_client(now=clock)
    client.cookies.set("tsv_lang", "en")
    glucose = _sensor(client.get(f"/ui/patients/{patient}/series").json())
    assert glucose["drawn"] == (
        "Line drawn with the lowest and highest reading of each 43-minute stretch "
        "(8,640 readings, all counted)."
    )


def test_a_month_of_cgm_shows_the_diabetes_view_on_the_patient_page(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - 40 * DAY, [], months=3)
    instants = _month(engine, patient, low_at=30 * 288 - 10)  # within the last 14 days
    html = make_client(now=clock).get(f"/ui/patients/{patient}").text
    assert 'id="h-diabetes"' in html
    fortnight = sum(1 for ts in instants if ts > reading.millis(NOW) - 14 * 86_400_000)
    assert f"({fortnight} mesures)" in html.replace("\u202f", "").replace("\xa0", "")


def test_a_patient_without_data_has_an_empty_chart_list_and_a_page(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("diabete", TODAY - 10 * DAY, [], months=3)
    client = make_client(now=clock)
    assert client.get(f"/ui/patients/{patient}/series").json()["series"] == []
    page = client.get(f"/ui/patients/{patient}")
    assert page.status_code == 200
    assert 'id="h-diabetes"' not in page.text


def test_a_patient_with_one_cgm_reading_gets_one_point_drawn_whole(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - 10 * DAY, [], months=3)
    ts = reading.millis(NOW) - 3_600_000
    with database.writing(engine) as conn:
        readings.store(conn, [reading.Reading(patient, SENSOR, ts, 62.0)])
    client = make_client(now=clock)
    glucose = _sensor(client.get(f"/ui/patients/{patient}/series").json())
    assert (glucose["x"], glucose["y"], glucose["readings"], glucose["drawn"]) == (
        [ts / 1000],
        [62.0],
        1,
        None,
    )
    page = client.get(f"/ui/patients/{patient}")
    assert page.status_code == 200
    assert 'id="h-diabetes"' in page.text
    assert "Données insuffisantes pour une lecture fiable" in page.text
