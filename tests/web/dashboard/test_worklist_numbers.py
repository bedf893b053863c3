"""Coherent numbers: the worklist counts alerts as the triage queue does, "… et N autres" is a
link to the whole list, and an ended prescription shows as ended, not as a renewal due."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.services.dashboard import worklist
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock
from tests.web.dashboard.test_alert_actions import _alert

DAY = dt.timedelta(days=1)


def test_the_worklist_counts_the_alerts_the_triage_queue_shows(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", TODAY - 10 * DAY, [TODAY], family="Deux")
    _alert(engine, patient)
    with database.writing(engine) as conn:
        conn.execute(sa.update(tables.patients).values(family="Deux"))
    _alert(engine, add_patient("insuffisance_cardiaque", TODAY - 10 * DAY, [TODAY]), "low")
    client = make_client(role="medecin", now=clock)
    html = client.get("/ui/worklist").text
    assert 'data-count="alerts">2<' in html
    assert "2 patients concernés" in html
    queue = client.get("/ui/alerts").text
    assert '<span class="badge">2</span>' in queue


def test_the_worklist_says_how_many_alerts_are_about_patients_no_longer_followed(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    gone = add_patient("insuffisance_cardiaque", TODAY - 10 * DAY, [TODAY], family="Parti")
    _alert(engine, gone)
    with database.writing(engine) as conn:
        conn.execute(
            sa.update(tables.prises_en_charge)
            .where(tables.prises_en_charge.c.patient_id == gone)
            .values(stopped_on=TODAY)
        )
    html = make_client(role="medecin", now=clock).get("/ui/worklist").text
    assert 'data-count="alerts">0<' in html
    assert "1 alerte dans la file de triage (tous patients)" in html


def test_an_ended_prescription_shows_as_ended_and_one_ending_soon_as_due(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient("insuffisance_cardiaque", TODAY - 100 * DAY, [], months=3, family="Echue")
    add_patient("insuffisance_cardiaque", TODAY - 85 * DAY, [], months=3, family="Bientot")
    html = make_client(now=clock).get("/ui/worklist").text
    renewals = html.split('id="h-renewals"', 1)[1]
    ended = renewals.split("ECHUE", 1)[1].split("</tr>", 1)[0]
    due = renewals.split("BIENTOT", 1)[1].split("</tr>", 1)[0]
    assert "Prescription échue le" in ended
    assert "Échéance le" in due
    assert renewals.index("ECHUE") < renewals.index("BIENTOT")


def test_and_n_more_is_a_link_to_the_next_page_of_the_section(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    for i in range(worklist.LIMIT + 1):
        add_patient("insuffisance_cardiaque", TODAY - 80 * DAY, [], months=3, family=f"P{i:03d}")
    client = make_client(now=clock)
    html = client.get("/ui/worklist").text
    link = '<a href="/ui/worklist?status=renewals&amp;page=2#h-renewals">… et 1 autre</a>'
    assert link in html
    assert f"P{worklist.LIMIT:03d}" not in html
    second = client.get("/ui/worklist?status=renewals&page=2").text.split('id="h-renewals"', 1)[1]
    assert f"P{worklist.LIMIT:03d}" in second
    assert "P000" not in second
    assert "Page 2 sur 2 · patients 51 à 51 sur 51" in second
    assert 'href="/ui/worklist?status=renewals#h-renewals" rel="prev"' in second


def test_a_prescription_ending_today_is_ended_and_one_ending_tomorrow_is_due(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = worklist.add_months(TODAY, -3)
    add_patient("insuffisance_cardiaque", start, [], months=3, family="Aujourdhui")
    add_patient("insuffisance_cardiaque", start + DAY, [], months=3, family="Demain")
    renewals = make_client(now=clock).get("/ui/worklist").text.split('id="h-renewals"', 1)[1]
    today = renewals.split("AUJOURDHUI", 1)[1].split("</tr>", 1)[0]
    tomorrow = renewals.split("DEMAIN", 1)[1].split("</tr>", 1)[0]
    assert "Prescription échue le" in today
    assert "Échéance le" in tomorrow
