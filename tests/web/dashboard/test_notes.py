"""Care-team notes on the patient page: appended with author and role, refused when empty."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql.notes import tables
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(tables.patient_notes)
        return int(conn.execute(query).scalar_one())


def test_a_note_is_kept_with_its_author_and_shown_newest_first(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", TODAY - dt.timedelta(days=5), [])
    client = make_client("medecin", now=clock)
    for text in ("Appel : poids stable.", "Diurétique ajusté."):
        answer = client.post(
            f"/ui/patients/{patient}/notes", data={"body": text}, follow_redirects=False
        )
        assert answer.status_code == 303
        assert "done=note_saved" in answer.headers["location"]
    notes = client.get(f"/ui/patients/{patient}").text.split('id="h-notes"', 1)[1]
    assert notes.index("Diurétique ajusté.") < notes.index("Appel : poids stable.")
    assert "(medecin)" in notes


def test_an_empty_note_is_refused_and_stores_nothing(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - dt.timedelta(days=5), [])
    answer = make_client("soignant", now=clock).post(
        f"/ui/patients/{patient}/notes", data={"body": "   "}, follow_redirects=False
    )
    assert "done=note_invalid" in answer.headers["location"]
    assert _count(engine) == 0


def test_a_note_on_an_unknown_patient_is_refused(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    add_patient("diabete", TODAY - dt.timedelta(days=5), [])
    answer = make_client("medecin", now=clock).post(
        "/ui/patients/999999/notes", data={"body": "Perdu."}, follow_redirects=False
    )
    assert "done=note_invalid" in answer.headers["location"]
    assert _count(engine) == 0


def test_billing_staff_may_not_write_clinical_notes(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("diabete", TODAY - dt.timedelta(days=5), [])
    answer = make_client("facturation", now=clock).post(
        f"/ui/patients/{patient}/notes", data={"body": "Non."}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert _count(engine) == 0
