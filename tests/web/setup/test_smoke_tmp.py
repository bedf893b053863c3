from tests.conftest import ClientFactory


def test_smoke(make_client: ClientFactory) -> None:
    c = make_client("administrateur")
    r = c.get("/ui/setup")
    assert r.status_code == 200, r.text
    r = c.post(
        "/ui/setup/operateur",
        data={"name": "CH Test", "kind": "etablissement", "finess": "750803448"},
    )
    assert r.status_code == 422, r.text
    assert "clé du FINESS" in r.text, r.text
    r = c.post(
        "/ui/setup/operateur",
        data={"name": "CH Test", "kind": "etablissement", "finess": "750803447"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = c.post(
        "/ui/setup/ars",
        data={"received_on": "2024-01-10"},
        files={"document": ("recu.pdf", b"%PDF-1.4 test", "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = c.post(
        "/ui/setup/members",
        data={
            "family": "Martin",
            "given": "Anne",
            "profession": "medecin",
            "rpps": "10005173140",
            "speciality": "cardiologue",
            "username": "amartin",
            "password": "Correct-horse-9x",
            "role": "medecin",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = c.post("/ui/setup/exploitants", data={"name": "Expl SAS"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = c.post(
        "/ui/setup/dmns",
        data={
            "exploitant_id": "1",
            "name": "CardioSuivi",
            "benefit": "organisationnel",
            "certified_from": "2023-07-01",
            "certified_until": "2030-01-01",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = c.post(
        "/ui/setup/conventions",
        data={"exploitant_id": "1", "signed_on": "2024-01-01"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = c.post("/ui/setup/protocols", data={"name": "P", "declared_on": "2024-01-01"})
    assert r.status_code == 422, r.text
    print(r.text[r.text.find("form-error") :][:600])
    r = c.get("/ui/setup")
    print(r.text[r.text.find("checklist") :][:3000])
    for u in ["/ui/admin/accounts", "/ui/admin/tokens", "/ui/admin/audit"]:
        r = c.get(u)
        assert r.status_code == 200, (u, r.text)
    r = c.post(
        "/ui/admin/tokens",
        data={"role": "patient", "patient_id": "1", "device": "on", "label": "x"},
    )
    assert r.status_code == 200 and "tsv_" in r.text, r.text
    r = c.get("/ui/admin/audit/export?format=csv")
    assert r.status_code == 200, r.text
    r = c.get("/ui/admin/audit/export?format=fhir")
    assert r.status_code == 200, r.text
