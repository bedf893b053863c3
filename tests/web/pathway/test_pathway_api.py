"""The care pathway over the JSON API: a patient from set-up to end-of-care report, and the
refusals as 422 answers naming the rule and its citation; on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from telesurveillance.domain.regulation import store
from tests.conftest import ClientFactory
from tests.services.pathway import world as w
from tests.services.pathway.test_walk import text_of

API = "/api/pathway"
NOW = dt.datetime(2024, 6, 3, 22, 30, tzinfo=dt.UTC)  # already 4 June in Paris


def created(client: TestClient, path: str, body: dict[str, Any]) -> int:
    answer = client.post(f"{API}{path}", json=body)
    assert answer.status_code == 201, answer.text
    found: int = answer.json()["id"]
    return found


def organisation(client: TestClient, *, declared: bool = True) -> dict[str, int]:
    op = created(client, "/operateurs", {"name": "Cabinet SYNTHÉTIQUE", "kind": "liberal"})
    if declared:
        answer = client.post(
            f"{API}/operateurs/{op}/ars-declaration", json={"received_on": "2024-01-15"}
        )
        assert answer.status_code == 200, answer.text
    doctor = created(
        client,
        f"/operateurs/{op}/members",
        {
            "family": "Dupont",
            "given": "Anne",
            "profession": "medecin",
            "rpps": "10003456786",
            "speciality": "cardiologue",
        },
    )
    expl = created(client, "/exploitants", {"name": "Exploitant SYNTHÉTIQUE"})
    dmn = created(
        client,
        "/dmns",
        {
            "exploitant_id": expl,
            "name": "CardioSuivi",
            "benefit": "organisationnel",
            "indication": "insuffisance_cardiaque",
            "latm_code": "1612544",
            "certified_from": "2023-12-01",
        },
    )
    created(
        client,
        "/conventions",
        {"operateur_id": op, "exploitant_id": expl, "signed_on": "2024-01-02"},
    )
    return {"operateur": op, "doctor": doctor, "dmn": dmn}


def inclusion(org: dict[str, int], regulation: store.Regulation) -> dict[str, Any]:
    att = w.attestation(regulation, w.Indication.INSUFFISANCE_CARDIAQUE)
    return {
        "operateur_id": org["operateur"],
        "indication": "insuffisance_cardiaque",
        "dmn_id": org["dmn"],
        "starts_on": "2024-06-03",
        "consent_on": "2024-06-03",
        "consent_method": "ecrit",
        "sous_population": att.sous_population,
        "criteres": sorted(att.criteres),
        "patient": {
            "nir": w.nir("1540375000123"),
            "nir_type": "NH",
            "family": "Lefèvre",
            "given": "Jean",
            "birth_date": "1954-03-20",
            "sex": "male",
            "coverage": "ald",
            "synthetic": True,
        },
        "attested_by": org["doctor"],
    }


def test_a_patient_from_set_up_to_end_of_care_report(
    make_client: ClientFactory, regulation: store.Regulation
) -> None:
    client = make_client(role="administrateur", now=lambda: NOW)
    org = organisation(client)
    answer = client.post(f"{API}/inclusions", json=inclusion(org, regulation))
    assert answer.status_code == 201, answer.text
    pec = answer.json()["prise_en_charge_id"]
    rx = {"prescriber_id": org["doctor"], "prescribed_on": "2024-06-03", "months": 6}
    assert client.post(f"{API}/prises-en-charge/{pec}/prescriptions", json=rx).status_code == 201

    pdf = client.get(f"{API}/prises-en-charge/{pec}/ordonnance.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = text_of(pdf.content)
    for mention in (
        "Jean LEFÈVRE",
        "70 ans",
        "Insuffisance cardiaque chronique",
        "6 mois",
        "CardioSuivi",
        "Anne DUPONT",
        "RPPS 10003456786",
        "3 juin 2024",
    ):
        assert mention in text, mention

    tasks = client.get(f"{API}/prises-en-charge/{pec}/tasks").json()
    assert tasks["on"] == "2024-06-04"
    assert {t["kind"] for t in tasks["tasks"]} >= {"point_de_controle_observance", "renouvellement"}

    majoration = {
        "level": 2,
        "since": "2024-06-03",
        "attested_by": org["doctor"],
        "criterion": "NYHA III",
    }
    assert (
        client.post(f"{API}/prises-en-charge/{pec}/majorations", json=majoration).status_code == 201
    )

    stop = {"stopped_on": "2024-07-20", "reason": "hospitalisation"}
    assert client.post(f"{API}/prises-en-charge/{pec}/stop", json=stop).status_code == 200
    report = client.get(f"{API}/prises-en-charge/{pec}/end-report.pdf")
    assert report.status_code == 200
    assert "hospitalisation" in text_of(report.content)
    view = client.get(f"{API}/prises-en-charge/{pec}").json()
    assert view["stop_reason"] == "hospitalisation"
    assert view["majorations"][0]["level"] == 2


def test_an_inclusion_without_ars_declaration_is_a_422_naming_the_rule(
    make_client: ClientFactory, regulation: store.Regulation
) -> None:
    client = make_client(role="administrateur", now=lambda: NOW)
    org = organisation(client, declared=False)
    answer = client.post(f"{API}/inclusions", json=inclusion(org, regulation))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail["rule"] == "prerequisite.ars_declaration"
    assert detail["message"] == "no ARS declaration on 2024-06-03: billing impossible"
    assert "L. 162-51" in detail["citation"]


def test_a_nurse_may_not_close_medically_without_a_protocol(
    make_client: ClientFactory,
) -> None:
    client = make_client(role="administrateur", now=lambda: NOW)
    op = created(client, "/operateurs", {"name": "Cabinet SYNTHÉTIQUE", "kind": "liberal"})
    answer = client.get(f"{API}/operateurs/{op}/medical-closure", params={"role": "soignant"})
    assert answer.json()["allowed"] is False
    assert answer.json()["rule"] == "delegation.medical_closure"
    protocol = {
        "name": "Protocole",
        "role": "soignant",
        "tasks": ["cloture_medicale_alerte"],
        "declared_on": "2024-06-01",
    }
    created(client, f"/operateurs/{op}/protocols", protocol)
    answer = client.get(f"{API}/operateurs/{op}/medical-closure", params={"role": "soignant"})
    assert answer.json()["allowed"] is True


def test_an_invalid_rpps_is_a_400(make_client: ClientFactory) -> None:
    client = make_client(role="administrateur", now=lambda: NOW)
    op = created(client, "/operateurs", {"name": "Cabinet SYNTHÉTIQUE", "kind": "liberal"})
    member = {"family": "X", "profession": "medecin", "rpps": "123"}
    answer = client.post(f"{API}/operateurs/{op}/members", json=member)
    assert answer.status_code == 400
    assert "RPPS" in answer.json()["detail"]


def test_an_unknown_prise_en_charge_is_a_404(make_client: ClientFactory) -> None:
    client = make_client(role="administrateur", now=lambda: NOW)
    assert client.get(f"{API}/prises-en-charge/999").status_code == 404
