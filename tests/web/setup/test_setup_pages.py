"""The set-up pages: an administrateur declares the organisation in forms; each refusal is shown
next to its field in French, with what was typed, and stores nothing."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.setup import tables as setup_tables
from tests.conftest import ClientFactory

PDF = b"%PDF-1.4\n% recepisse de declaration\n"
DOCTOR = {
    "family": "Martin",
    "given": "Anne",
    "profession": "medecin",
    "rpps": "10005173140",
    "speciality": "cardiologue",
    "username": "amartin",
    "password": "Correct-horse-9x",
    "role": "medecin",
}


def _post(client: TestClient, path: str, **kwargs: object) -> int:
    answer = client.post(path, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == 303, answer.text
    return answer.status_code


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _set_up(client: TestClient) -> None:
    _post(
        client,
        "/ui/setup/operateur",
        data={"name": "CH Exemple", "kind": "etablissement", "finess": "750803447"},
    )
    _post(
        client,
        "/ui/setup/ars",
        data={"received_on": "2024-01-10", "reference": "DS-123"},
        files={"document": ("recepisse.pdf", PDF, "application/pdf")},
    )
    _post(client, "/ui/setup/members", data=DOCTOR)
    _post(client, "/ui/setup/exploitants", data={"name": "Télé SAS", "siret": "73282932000074"})
    _post(
        client,
        "/ui/setup/dmns",
        data={
            "exploitant_id": "1",
            "name": "CardioSuivi",
            "benefit": "organisationnel",
            "indication": "insuffisance_cardiaque",
            "certified_from": "2023-07-01",
            "certified_until": "2030-12-31",
        },
    )
    _post(client, "/ui/setup/conventions", data={"exploitant_id": "1", "signed_on": "2024-01-01"})


def test_an_empty_platform_lists_what_blocks_billing_with_rules_and_citations(
    make_client: ClientFactory,
) -> None:
    html = make_client().get("/ui/setup").text
    assert "4 points bloquent encore la facturation." in html
    for rule in (
        "prerequisite.ars_declaration",
        "prescription.prescriber_qualification",
        "prerequisite.certificate",
        "prerequisite.convention",
    ):
        assert f"<code>{rule}</code>" in html
    assert "Code de la sécurité sociale, art. L. 162-51" in html


def test_a_team_set_up_in_the_forms_has_nothing_left_blocking(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    _set_up(client)
    html = client.get("/ui/setup").text
    assert "Rien ne bloque la facturation" in html
    assert "amartin" in html
    with engine.connect() as conn:
        op = conn.execute(sa.select(tables.operateurs)).one()
        link = conn.execute(sa.select(setup_tables.setup_account_members)).one()
    assert str(op.ars_declared_on) == "2024-01-10"
    assert link.practitioner_id == 1


def test_the_ars_receipt_is_archived_byte_for_byte_with_its_hash(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    _set_up(client)
    html = client.get("/ui/setup").text
    assert hashlib.sha256(PDF).hexdigest() in html
    document = client.get("/ui/setup/ars/1")
    assert document.content == PDF
    assert document.headers["content-type"] == "application/pdf"


def test_a_receipt_that_is_not_a_pdf_or_an_image_is_refused(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    _post(client, "/ui/setup/operateur", data={"name": "Cabinet", "kind": "liberal"})
    answer = client.post(
        "/ui/setup/ars",
        data={"received_on": "2024-01-10"},
        files={"document": ("recu.pdf", b"MZ not a pdf", "application/pdf")},
    )
    assert answer.status_code == 422
    assert "Le récépissé doit être un fichier PDF, PNG ou JPEG." in answer.text
    assert 'value="2024-01-10"' in answer.text
    assert _count(engine, setup_tables.setup_ars_documents) == 0


def test_a_wrong_rpps_key_is_refused_next_to_the_field_keeping_what_was_typed(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    _post(client, "/ui/setup/operateur", data={"name": "Cabinet", "kind": "liberal"})
    answer = client.post("/ui/setup/members", data={**DOCTOR, "rpps": "10005173141"})
    assert answer.status_code == 422
    assert 'id="err-members-rpps"' in answer.text
    assert "La clé du RPPS (dernier chiffre) est fausse" in answer.text
    assert 'value="10005173141"' in answer.text
    assert 'value="Martin"' in answer.text
    assert _count(engine, tables.practitioners) == 0
    assert client.get("/ui/admin/accounts").text.count("amartin") == 0


def test_a_weak_password_refuses_the_member_and_its_account(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    _post(client, "/ui/setup/operateur", data={"name": "Cabinet", "kind": "liberal"})
    answer = client.post("/ui/setup/members", data={**DOCTOR, "password": "court"})
    assert answer.status_code == 422
    assert "recommandation CNIL" in answer.text
    assert _count(engine, tables.practitioners) == 0


def test_a_finess_with_a_wrong_key_is_refused_and_a_right_one_accepted(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    wrong = {"name": "CH", "kind": "etablissement", "finess": "750803448"}
    answer = client.post("/ui/setup/operateur", data=wrong)
    assert answer.status_code == 422
    assert "La clé du FINESS (9e chiffre) est fausse" in answer.text
    assert _count(engine, tables.operateurs) == 0
    _post(client, "/ui/setup/operateur", data={**wrong, "finess": "750803447"})
    assert _count(engine, tables.operateurs) == 1


def test_a_protocol_without_task_is_refused_with_its_rule_and_citation(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    _post(client, "/ui/setup/operateur", data={"name": "Cabinet", "kind": "liberal"})
    answer = client.post("/ui/setup/protocols", data={"name": "P", "declared_on": "2024-01-01"})
    assert answer.status_code == 422
    assert "<code>delegation.protocol_tasks</code>" in answer.text
    assert "art. L. 4011-1" in answer.text
    done = client.post(
        "/ui/setup/protocols",
        data={"name": "P", "declared_on": "2024-01-01", "tasks": ["cloture_medicale_alerte"]},
        follow_redirects=False,
    )
    assert done.status_code == 303


def test_a_dmn_certificate_ending_before_it_starts_is_refused(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    client = make_client()
    _post(client, "/ui/setup/exploitants", data={"name": "Télé SAS"})
    answer = client.post(
        "/ui/setup/dmns",
        data={
            "exploitant_id": "1",
            "name": "X",
            "benefit": "organisationnel",
            "certified_from": "2025-01-01",
            "certified_until": "2024-12-31",
        },
    )
    assert answer.status_code == 422
    assert 'id="err-dmns-certified_until"' in answer.text
    assert _count(engine, tables.dmns) == 0


def test_only_the_administrateur_may_set_up(make_client: ClientFactory) -> None:
    for role in ("medecin", "soignant", "facturation"):
        client = make_client(role)
        assert client.get("/ui/setup").status_code == 403
        refused = client.post("/ui/setup/exploitants", data={"name": "X"})
        assert refused.status_code == 403


def test_the_set_up_page_reads_in_english(make_client: ClientFactory) -> None:
    client = make_client()
    client.cookies.set("tsv_lang", "en")
    html = client.get("/ui/setup").text
    assert "What still blocks the first billing" in html
    assert "4 items still block billing." in html
