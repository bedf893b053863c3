"""The inclusion wizard: a physician logged in includes a patient from the regulation's choices,
refusals come back next to their field in French with the rule, and the ordonnance is issued."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import subprocess

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.pathway import patients as sql_patients
from telesurveillance.adapters.sql.pathway import tables as tp
from telesurveillance.adapters.sql.security import accounts as sql_accounts
from telesurveillance.adapters.sql.setup import registry
from telesurveillance.domain.access import roles
from telesurveillance.domain.regulation import catalogue, records, store
from telesurveillance.services.pathway import patients
from telesurveillance.services.security import accounts
from telesurveillance.services.setup import organisation
from tests.conftest import ClientFactory
from tests.services.pathway import world as worlds

NOW = dt.datetime(2024, 6, 3, 8, 0, tzinfo=dt.UTC)
PASSWORD = "Correct-horse-9x"
IC = catalogue.Indication.INSUFFISANCE_CARDIAQUE


def _logged_in(make_client: ClientFactory, engine: sa.Engine, speciality: str) -> TestClient:
    built = worlds.build(engine)
    account = accounts.create_account(
        sql_accounts.SqlAccounts(engine), "dr.claire", PASSWORD, roles.Role.MEDECIN, NOW
    )
    organisation.link_account(registry.SqlSetup(engine), account, built.physicians[speciality])
    client = make_client(authenticated=False, now=lambda: NOW)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": "dr.claire", "password": PASSWORD, "csrf_token": token[1]}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


def _patient(engine: sa.Engine) -> int:
    typed = patients.Typed(family="Martin", given="Jeanne", birth_date="1950-03-14", sex="female")
    return patients.create(sql_patients.SqlPatients(engine), typed, None, "t", NOW, NOW.date())


def _csrf(page: str) -> str:
    """The form's CSRF token (none for a bearer token, which needs none)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found[1] if found else ""


def _criteria(regulation: store.Regulation) -> list[str]:
    found = regulation.indication(IC, "eligibilite", records.Eligibilite).at(NOW.date())
    group = next(g for g in found.value.sous_populations if g.id == "ic_chronique")
    return list(group.criteres)


def _form(
    client: TestClient, patient: int, engine: sa.Engine, **changes: object
) -> dict[str, object]:
    page = client.get(
        f"/ui/patients/{patient}/include",
        params={"indication": IC.value, "sous_population": "ic_chronique"},
    )
    assert page.status_code == 200
    dmn = re.search(r'name="dmn_id".*?<option value="(\d+)"', page.text, re.S)
    assert dmn is not None
    form: dict[str, object] = {
        "csrf_token": _csrf(page.text),
        "indication": IC.value,
        "sous_population": "ic_chronique",
        "starts_on": "2024-06-03",
        "consent_on": "2024-06-03",
        "consent_method": "ecrit",
        "dmn_id": dmn[1],
        "months": "6",
    }
    form.update(changes)
    return form


def test_the_steps_offer_the_listing_s_groups_and_criteria(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client = _logged_in(make_client, engine, "cardiologue")
    patient = _patient(engine)
    first = client.get(f"/ui/patients/{patient}/include")
    assert "Insuffisance cardiaque" in first.text
    second = client.get(f"/ui/patients/{patient}/include", params={"indication": IC.value})
    assert 'value="ic_chronique"' in second.text
    third = client.get(
        f"/ui/patients/{patient}/include",
        params={"indication": IC.value, "sous_population": "ic_chronique"},
    )
    for criterion in _criteria(regulation):
        assert html.escape(criterion) in third.text
    assert worlds.DMN_NAMES[IC] in third.text


def test_a_physician_includes_and_downloads_the_archived_ordonnance(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client = _logged_in(make_client, engine, "cardiologue")
    patient = _patient(engine)
    form = _form(client, patient, engine, criteres=_criteria(regulation))
    done = client.post(f"/ui/patients/{patient}/include", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    preview = client.get(done.headers["location"])
    assert "Patient inclus" in preview.text
    assert "RPPS" in preview.text
    link = re.search(r'href="(/ui/patients/\d+/cares/\d+/ordonnance\.pdf)"', preview.text)
    assert link is not None
    pdf = client.get(link[1])
    assert pdf.headers["content-type"] == "application/pdf"
    with engine.connect() as conn:
        kept = conn.execute(sa.select(tp.pathway_documents.c.content)).scalars().all()
        attested = conn.execute(sa.select(tp.pathway_eligibility.c.attested_by)).scalar_one()
    assert kept == [pdf.content]
    assert attested is not None
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Ordonnance de télésurveillance médicale" in text
    assert "MARTIN" in text
    assert text.count("Insuffisance cardiaque chronique") == 1


def test_the_prescriber_s_address_and_phone_are_printed_on_the_ordonnance(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client = _logged_in(make_client, engine, "cardiologue")
    patient = _patient(engine)
    form = _form(client, patient, engine, criteres=_criteria(regulation))
    where = client.post(f"/ui/patients/{patient}/include", data=form, follow_redirects=False)
    preview = client.get(where.headers["location"])
    assert "adresse professionnelle non renseignée" in preview.text
    target = where.headers["location"].split("?")[0].replace("/ordonnance", "/prescriber-contact")
    contact = {"address": "12 place Bellecour, 69002 Lyon", "phone": "04 72 00 00 00"}
    saved = client.post(
        target, data={**contact, "csrf_token": _csrf(preview.text)}, follow_redirects=False
    )
    assert saved.headers["location"].endswith("done=contact_saved")
    pdf = client.get(where.headers["location"].split("?")[0] + ".pdf")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "12 place Bellecour, 69002 Lyon" in text
    assert "0472000000" in text


def test_a_missing_criterion_is_refused_next_to_the_criteria_with_the_rule(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = _logged_in(make_client, engine, "cardiologue")
    patient = _patient(engine)
    form = _form(client, patient, engine, device_serial="SN-42")
    answer = client.post(f"/ui/patients/{patient}/include", data=form)
    assert answer.status_code == 422
    assert 'id="err-inclusion-criteres"' in answer.text
    assert "<code>eligibility.criteria</code>" in answer.text
    assert "ne suffisent pas" in answer.text
    assert 'value="SN-42"' in answer.text
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(tables.prises_en_charge)).scalar()
            == 0
        )


def test_a_prescriber_outside_the_listing_is_refused_before_anything_is_written(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client = _logged_in(make_client, engine, "diabetologue")
    patient = _patient(engine)
    form = _form(client, patient, engine, criteres=_criteria(regulation))
    answer = client.post(f"/ui/patients/{patient}/include", data=form)
    assert answer.status_code == 422
    assert "<code>prescription.prescriber_qualification</code>" in answer.text
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(tables.prises_en_charge)).scalar()
            == 0
        )


@pytest.mark.parametrize(("months", "refused"), [("12", False), ("13", True)])
def test_the_duration_is_refused_over_one_year(
    make_client: ClientFactory,
    engine: sa.Engine,
    regulation: store.Regulation,
    months: str,
    refused: bool,
) -> None:
    client = _logged_in(make_client, engine, "cardiologue")
    patient = _patient(engine)
    form = _form(client, patient, engine, criteres=_criteria(regulation), months=months)
    answer = client.post(f"/ui/patients/{patient}/include", data=form, follow_redirects=False)
    assert (answer.status_code == 422) is refused
    if refused:
        assert 'id="err-inclusion-months"' in answer.text


def test_an_api_token_is_not_a_physician_who_attests(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    worlds.build(engine)
    client = make_client(role="medecin", now=lambda: NOW)
    patient = _patient(engine)
    form = _form(client, patient, engine, criteres=["x"])
    answer = client.post(f"/ui/patients/{patient}/include", data=form)
    assert answer.status_code == 422
    assert "connecté avec son propre compte" in answer.text


def test_a_physician_without_rpps_is_refused_before_anything_is_written(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    built = worlds.build(engine)
    # written before RPPS became required for a physician member (the set-up refuses it now)
    member = built.store.add_practitioner(
        "Sansrpps", "Léa", None, "medecin", "cardiologue", built.operateur_id
    )
    account = accounts.create_account(
        sql_accounts.SqlAccounts(engine), "dr.lea", PASSWORD, roles.Role.MEDECIN, NOW
    )
    organisation.link_account(registry.SqlSetup(engine), account, member)
    client = make_client(authenticated=False, now=lambda: NOW)
    form = {
        "username": "dr.lea",
        "password": PASSWORD,
        "csrf_token": _csrf(client.get("/login").text),
    }
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    patient = _patient(engine)
    answer = client.post(
        f"/ui/patients/{patient}/include",
        data=_form(client, patient, engine, criteres=_criteria(regulation)),
    )
    assert answer.status_code == 422
    assert "Votre RPPS n" in answer.text
    with engine.connect() as conn:
        count = sa.select(sa.func.count()).select_from(tables.prises_en_charge)
        assert conn.execute(count).scalar() == 0


def test_the_signed_consent_is_archived_with_its_hash_and_a_wrong_type_refused(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client = _logged_in(make_client, engine, "cardiologue")
    patient = _patient(engine)
    form = _form(client, patient, engine, criteres=_criteria(regulation))
    signed = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    wrong = client.post(
        f"/ui/patients/{patient}/include",
        data=form,
        files={"consent_document": ("consentement.pdf", b"not a pdf", "application/pdf")},
    )
    assert wrong.status_code == 422
    assert 'id="err-inclusion-consent_document"' in wrong.text
    done = client.post(
        f"/ui/patients/{patient}/include",
        data=form,
        files={"consent_document": ("consentement.pdf", signed, "application/pdf")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with engine.connect() as conn:
        kept = conn.execute(sa.select(tp.pathway_consent_documents)).mappings().one()
    assert bytes(kept["content"]) == signed
    assert kept["sha256"] == hashlib.sha256(signed).hexdigest()
