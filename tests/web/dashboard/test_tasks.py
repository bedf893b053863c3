"""Follow-up tasks: the team list and the patient's, due dates from the pathway, marked done by
the logged-in user (who and when), still listed as done; a second marking is refused."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import tables as core
from telesurveillance.adapters.sql.followup import tables
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock

STARTS = TODAY - dt.timedelta(days=35)
SUPPORT_DUE = STARTS + dt.timedelta(days=30)  # diabetes: support within the first month


def _mark(client: TestClient, pec: int, kind: str, due_on: dt.date, back: str = "/ui/tasks") -> str:
    answer = client.post(
        "/ui/tasks/done",
        data={"pec": str(pec), "kind": kind, "due_on": due_on.isoformat(), "back": back},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return str(answer.headers["location"])


def _pec(engine: sa.Engine, patient: int) -> int:
    with engine.connect() as conn:
        query = sa.select(core.prises_en_charge.c.id).where(
            core.prises_en_charge.c.patient_id == patient
        )
        return int(conn.execute(query).scalar_one())


def test_the_team_list_shows_the_tasks_due_with_their_patient_in_french(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("diabete", STARTS, [], months=3)
    page = make_client("soignant", now=clock).get("/ui/tasks")
    assert page.status_code == 200
    assert "Accompagnement thérapeutique" in page.text
    assert "Échéance : 18 novembre 2026" in page.text
    assert "en retard" in page.text
    assert "observance insuffisante : envisager l&#39;arrêt" in page.text  # no data in month 1
    assert f'href="/ui/patients/{patient}"' in page.text
    assert "expected days with data" not in page.text  # no English inside the French page


def test_marking_a_task_done_records_who_and_when_and_keeps_it_listed_as_done(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", STARTS, [], months=3)
    client = make_client("soignant", now=clock)
    where = _mark(client, _pec(engine, patient), "accompagnement_therapeutique", SUPPORT_DUE)
    assert "done=marked" in where
    with engine.connect() as conn:
        [row] = conn.execute(sa.select(tables.followup_task_done)).all()
    assert (row.done_by, row.done_by_role) == ("test soignant", "soignant")
    assert row.done_at == int(clock().timestamp() * 1000)
    assert "Accompagnement thérapeutique" not in client.get("/ui/tasks").text
    everything = client.get("/ui/tasks?show=all").text
    assert "Faite par test soignant, le 23/11/2026 10:00" in everything
    on_patient = client.get(f"/ui/patients/{patient}").text
    assert "Faite par test soignant, le 23/11/2026 10:00" in on_patient


def test_a_task_marked_twice_is_refused_the_second_time(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", STARTS, [], months=3)
    pec = _pec(engine, patient)
    first = make_client("soignant", now=clock)
    second = make_client("medecin", now=clock)
    assert "done=marked" in _mark(first, pec, "accompagnement_therapeutique", SUPPORT_DUE)
    assert "done=already" in _mark(second, pec, "accompagnement_therapeutique", SUPPORT_DUE)
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(tables.followup_task_done)).scalar()
            == 1
        )


def test_a_task_that_is_not_listed_cannot_be_marked(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", STARTS, [], months=3)
    client = make_client("medecin", now=clock)
    pec = _pec(engine, patient)
    wrong_day = SUPPORT_DUE + dt.timedelta(days=1)
    assert "done=missing" in _mark(client, pec, "accompagnement_therapeutique", wrong_day)
    assert "done=missing" in _mark(client, pec, "nope", SUPPORT_DUE)
    assert "done=missing" in _mark(client, 999999, "renouvellement", SUPPORT_DUE)


def test_the_patient_page_lists_its_tasks_and_comes_back_to_them(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", STARTS, [], months=3)
    client = make_client("medecin", now=clock)
    page = client.get(f"/ui/patients/{patient}").text
    assert 'id="h-tasks"' in page
    assert "Renouvellement de la prescription" in page
    back = f"/ui/patients/{patient}"
    where = _mark(client, _pec(engine, patient), "accompagnement_therapeutique", SUPPORT_DUE, back)
    assert where.startswith(f"/ui/patients/{patient}?done=marked")
    assert "Tâche marquée comme faite." in client.get(where).text


def test_billing_staff_do_not_see_the_tasks(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient("diabete", STARTS, [], months=3)
    assert make_client("facturation", now=clock).get("/ui/tasks").status_code == 403


def test_the_task_list_is_in_english_too(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient("diabete", STARTS, [], months=3)
    client = make_client("medecin", now=clock)
    client.cookies.set("tsv_lang", "en")
    page = client.get("/ui/tasks").text
    assert "Therapeutic support session" in page
    assert "too little data: consider stopping" in page
