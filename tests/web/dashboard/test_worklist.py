"""The worklist: at risk of insufficient data on both sides of the threshold, renewals due."""

from __future__ import annotations

import datetime as dt

from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock

DAY = dt.timedelta(days=1)
# A heart-failure period is 30 days, 30 expected days, 15 needed (50 %).
START = TODAY - 20 * DAY  # period 1, day 21: 10 days left


def _days(n: int) -> list[dt.date]:
    return [START + i * DAY for i in range(n)]


def _risk_section(html: str) -> str:
    return html.split('id="h-risk"', 1)[1].split("</section>", 1)[0]


def test_a_patient_who_can_no_longer_reach_the_threshold_is_listed_out_of_reach(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient("insuffisance_cardiaque", START, _days(4), family="Horsdatteinte")
    page = make_client(now=clock).get("/ui/worklist")
    assert page.status_code == 200
    risk = _risk_section(page.text)
    assert "HORSDATTEINTE" in risk
    assert "seuil hors d&#39;atteinte" in risk


def test_a_patient_who_can_just_reach_the_threshold_is_at_risk_not_out_of_reach(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    # 5 days so far + 10 days left = 15 needed: still reachable, but not at this pace.
    add_patient("insuffisance_cardiaque", START, _days(5), family="Justeassez")
    risk = _risk_section(make_client(now=clock).get("/ui/worklist").text)
    assert "JUSTEASSEZ" in risk
    assert "outlook-at_risk" in risk


def test_a_patient_who_reached_the_threshold_is_not_at_risk(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient("insuffisance_cardiaque", START, _days(15), family="Regulier")
    risk = _risk_section(make_client(now=clock).get("/ui/worklist").text)
    assert "REGULIER" not in risk


def test_a_prescription_ending_within_three_weeks_is_a_renewal_due(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 80 * DAY
    add_patient("insuffisance_cardiaque", start, [], months=3, family="Arenouveler")
    add_patient("insuffisance_cardiaque", start, [], months=6, family="Tranquille")
    html = make_client(now=clock).get("/ui/worklist").text
    renewals = html.split('id="h-renewals"', 1)[1]
    assert "ARENOUVELER" in renewals
    assert "TRANQUILLE" not in renewals


def test_the_indication_filter_keeps_only_that_indication(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient("insuffisance_cardiaque", START, _days(2), family="Coeur")
    add_patient("diabete", START, _days(2), family="Sucre", months=3)
    html = make_client(now=clock).get("/ui/worklist?indication=diabete").text
    assert "SUCRE" in html
    assert "COEUR" not in html


def test_the_worklist_counts_the_patients_followed_and_labels_them_synthetic(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient("insuffisance_cardiaque", START, _days(2))
    html = make_client(now=clock).get("/ui/worklist").text
    assert 'data-count="followed">1<' in html
    assert "SYNTHÉTIQUES" in html
