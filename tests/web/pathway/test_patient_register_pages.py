"""The patient register's pages: search, create, edit with history, contact on the patient page."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.pathway import patients as sql_patients
from telesurveillance.services.pathway import patients
from tests.conftest import ClientFactory

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
NIR = "185057512345673"
FORM = {
    "family": "Martin",
    "given": "Jeanne",
    "birth_date": "1950-03-14",
    "sex": "female",
    "coverage": "ald",
    "nir": "1 85 05 75 123 456 73",
    "nir_type": "INS-NIR",
    "phone": "06 12 34 56 78",
    "email": "jeanne.martin@example.org",
    "address": "3 rue des Lilas, 69003 Lyon",
    "medecin_traitant": "Dr Paul Durand",
    "confiance": "Luc Martin",
}


def _create(client: TestClient, **changes: str) -> int:
    answer = client.post("/ui/patients", data={**FORM, **changes}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].split("/")[3].split("?")[0])


def test_a_physician_creates_a_patient_and_sees_the_contact_on_the_patient_page(
    make_client: ClientFactory,
) -> None:
    client = make_client(role="medecin", now=lambda: NOW)
    new = _create(client)
    page = client.get(f"/ui/patients/{new}?done=patient_created")
    assert page.status_code == 200
    assert "0612345678" in page.text
    assert "Dr Paul Durand" in page.text
    assert "Luc Martin" in page.text
    assert NIR in page.text
    assert "Patient enregistré." in page.text


def test_a_wrong_nir_key_is_shown_next_to_the_field_and_nothing_typed_is_lost(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client(role="medecin", now=lambda: NOW)
    answer = client.post("/ui/patients", data={**FORM, "nir": "185057512345674"})
    assert answer.status_code == 422
    assert 'id="err-patient-nir"' in answer.text
    assert "La clé du NIR" in answer.text
    for kept in ("185057512345674", "Dr Paul Durand", "3 rue des Lilas, 69003 Lyon"):
        assert kept in answer.text
    assert sql_patients.SqlPatients(engine).search_patients([], None, 10) == []


def test_a_bad_phone_is_refused_in_english_too(make_client: ClientFactory) -> None:
    client = make_client(role="soignant", now=lambda: NOW)
    client.cookies.set("tsv_lang", "en")
    answer = client.post("/ui/patients", data={**FORM, "phone": "12"})
    assert answer.status_code == 422
    assert 'id="err-patient-phone"' in answer.text
    assert "Expected: 10 digits" in answer.text


def test_an_edit_is_traced_with_the_principal_and_shown_in_the_history(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client(role="medecin", now=lambda: NOW)
    new = _create(client)
    answer = client.post(
        f"/ui/patients/{new}/edit",
        data={**FORM, "version": "1", "phone": "07 00 00 00 00"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    (change, created) = patients.history(sql_patients.SqlPatients(engine), new)
    assert (change.field, change.before, change.after) == ("phone", "0612345678", "0700000000")
    assert change.changed_by.startswith("test medecin (token/")
    assert created.field == "created"
    page = client.get(f"/ui/patients/{new}/edit")
    assert "Historique des modifications" in page.text
    assert "0700000000" in page.text


def test_a_stale_edit_keeps_what_was_typed_and_says_why(make_client: ClientFactory) -> None:
    client = make_client(role="medecin", now=lambda: NOW)
    new = _create(client)
    client.post(f"/ui/patients/{new}/edit", data={**FORM, "version": "1", "given": "Jeanne-Marie"})
    stale = client.post(f"/ui/patients/{new}/edit", data={**FORM, "version": "1", "given": "Jo"})
    assert stale.status_code == 422
    assert "a été modifié par quelqu" in stale.text
    assert 'value="Jo"' in stale.text


def test_the_list_finds_by_name_and_birth_date_and_links_to_the_page(
    make_client: ClientFactory,
) -> None:
    client = make_client(role="medecin", now=lambda: NOW)
    new = _create(client)
    found = client.get("/ui/patients", params={"q": "mart 14/03/1950"})
    assert f'href="/ui/patients/{new}"' in found.text
    assert "76 ans" in found.text
    assert "Aucun patient" in client.get("/ui/patients", params={"q": "dupont"}).text


def test_billing_staff_may_not_open_the_register(make_client: ClientFactory) -> None:
    assert make_client(role="facturation").get("/ui/patients").status_code == 403


def test_a_field_longer_than_its_bound_is_refused_and_nothing_is_stored(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client(role="medecin", now=lambda: NOW)
    _create(client, family="M" * 100, nir="", nir_type="")  # at the bound: stored
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM patients")).scalar_one()
    anonymous = {**FORM, "nir": "", "nir_type": ""}
    answer = client.post("/ui/patients", data={**anonymous, "family": "M" * 101})
    assert answer.status_code == 422
    assert 'id="err-patient-family"' in answer.text
    beyond = client.post("/ui/patients", data={**anonymous, "family": "M" * 201})
    assert beyond.status_code == 422  # past what the form takes at all
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM patients")).scalar_one() == before


def test_an_edit_without_the_version_seen_is_refused(make_client: ClientFactory) -> None:
    client = make_client(role="medecin", now=lambda: NOW)
    new = _create(client)
    answer = client.post(f"/ui/patients/{new}/edit", data={**FORM, "family": "Autre"})
    assert answer.status_code == 422
    assert "Martin" in client.get(f"/ui/patients/{new}").text


def test_the_form_takes_its_csrf_token_but_refuses_a_field_it_does_not_have(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client(role="medecin", now=lambda: NOW)
    _create(client, csrf_token="x" * 43)  # the session's token rides in the form
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM patients")).scalar_one()
    answer = client.post("/ui/patients", data={**FORM, "actor": "someone-else"})
    assert answer.status_code == 422
    assert "actor" in answer.text
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM patients")).scalar_one() == before
