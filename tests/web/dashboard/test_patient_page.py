"""The patient page: identity, observance gauge, charts data with thresholds, verdicts cited."""

from __future__ import annotations

import datetime as dt

from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock

DAY = dt.timedelta(days=1)


def test_the_gauge_says_how_many_days_have_data_and_how_many_are_left(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 11 * DAY  # day 12 of period 1; today has no data: 19 days left
    patient = add_patient("insuffisance_cardiaque", start, [start + i * DAY for i in range(11)])
    html = make_client(now=clock).get(f"/ui/patients/{patient}").text
    assert "11 jours sur 30 avec données, 19 jours restants" in html


def test_an_elapsed_period_shows_its_verdict_with_a_citation(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 45 * DAY
    patient = add_patient("insuffisance_cardiaque", start, [start + i * DAY for i in range(30)])
    html = make_client(now=clock).get(f"/ui/patients/{patient}").text
    verdicts = html.split('id="h-verdicts"', 1)[1]
    assert "<td>oui</td>" in verdicts
    assert 'class="cites"' in verdicts
    assert "opérateur : 28,00\xa0€" in verdicts  # forfait opérateur, French formatting


def test_an_unknown_patient_is_404(make_client: ClientFactory, add_patient: AddPatient) -> None:
    assert make_client(now=clock).get("/ui/patients/999999").status_code == 404


def test_the_series_carry_the_readings_and_the_threshold_rules_of_the_indication(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 5 * DAY
    patient = add_patient("insuffisance_cardiaque", start, [start + i * DAY for i in range(5)])
    data = make_client(now=clock).get(f"/ui/patients/{patient}/series?days=30").json()
    (weight,) = data["series"]
    assert weight["kind"] == "poids"
    assert len(weight["x"]) == len(weight["y"]) == 5
    assert weight["x"] == sorted(weight["x"])


def test_the_series_window_excludes_older_readings(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 40 * DAY
    patient = add_patient("insuffisance_cardiaque", start, [start, TODAY - 2 * DAY])
    data = make_client(now=clock).get(f"/ui/patients/{patient}/series?days=30").json()
    assert len(data["series"][0]["x"]) == 1


def test_the_patient_page_loads_its_scripts_from_static_files_only(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("diabete", TODAY - 3 * DAY, [], months=3)
    html = make_client(now=clock).get(f"/ui/patients/{patient}").text
    assert "<script>" not in html
    assert '<script src="/static/vendor/uplot/uPlot.iife.min.js"' in html
    assert "SYNTHÉTIQUES" in html


def test_a_billable_period_is_explained_in_words_in_french_and_in_english(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 45 * DAY
    patient = add_patient("insuffisance_cardiaque", start, [start + i * DAY for i in range(30)])
    client = make_client(now=clock)
    verdicts = client.get(f"/ui/patients/{patient}").text.split('id="h-verdicts"', 1)[1]
    assert "30 jours avec données sur 30 attendus" in verdicts
    assert "— forfait dû" in verdicts
    client.cookies.set("tsv_lang", "en")
    verdicts = client.get(f"/ui/patients/{patient}").text.split('id="h-verdicts"', 1)[1]
    assert "— forfait due" in verdicts
    assert "forfait dû" not in verdicts


def test_a_period_without_data_is_explained_as_not_billable(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 45 * DAY
    patient = add_patient("insuffisance_cardiaque", start, [])
    verdicts = make_client(now=clock).get(f"/ui/patients/{patient}").text
    verdicts = verdicts.split('id="h-verdicts"', 1)[1]
    assert "— non facturable" in verdicts
    assert "— forfait dû" not in verdicts


def test_a_reasons_machine_detail_shows_in_english_only(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    # an insufficient first period: its note's detail ("period 1: 5 of 30 days") is machine
    # English; the French page says it in words in the explanation instead
    start = TODAY - 45 * DAY
    patient = add_patient("insuffisance_cardiaque", start, [start + i * DAY for i in range(5)])
    client = make_client(now=clock)
    verdicts = client.get(f"/ui/patients/{patient}").text.split('id="h-verdicts"', 1)[1]
    assert "5 of 30 days" not in verdicts
    assert "5 jours avec données sur 30 attendus" in verdicts
    client.cookies.set("tsv_lang", "en")
    verdicts = client.get(f"/ui/patients/{patient}").text.split('id="h-verdicts"', 1)[1]
    assert "5 of 30 days" in verdicts
