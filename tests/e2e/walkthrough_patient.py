"""Reusable browser steps of the new-team walkthrough, patient part (issue 15).

Continues from `walkthrough_setup.Team`: a physician creates a patient, includes them through the
wizard (indication, sub-population, criteria, consent, DMN, prescription), downloads the
ordonnance; the administrateur creates the patient's device token; the device posts readings
through the FHIR API. Every step drives the pages as a user does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from typing import Any

from tests.conftest import ROOT
from tests.e2e import walkthrough_setup as setup_steps

SCREENSHOTS = ROOT / "docs" / "screenshots"
PATIENT = {
    "family": "Bernard",
    "given": "Monique",
    "birth_date": "1948-05-02",
    "sex": "female",
    "coverage": "ald",
    "nir": "248057512345690",
    "nir_type": "INS-NIR",
    "phone": "06 11 22 33 44",
    "address": "8 rue de la Paix, 69002 Lyon",
    "medecin_traitant": "Dr Paul Lefèvre",
    "confiance": "Marc Bernard (fils)",
}


def _submit(page: Any, action: str) -> None:
    with page.expect_navigation():
        page.click(f"form[action='{action}'] button[type=submit]")


def create_patient(page: Any, url: str) -> int:
    """The physician creates the patient from the Patients page; the new patient's id."""
    page.goto(f"{url}/ui/patients")
    page.click("text=Nouveau patient")
    for name in ("family", "given", "birth_date", "nir", "phone", "address"):
        page.fill(f"#patient-{name}", PATIENT[name])
    page.fill("#patient-medecin_traitant", PATIENT["medecin_traitant"])
    page.fill("#patient-confiance", PATIENT["confiance"])
    for name in ("sex", "coverage", "nir_type"):
        page.select_option(f"#patient-{name}", PATIENT[name])
    _submit(page, "/ui/patients")
    found = re.search(r"/ui/patients/(\d+)", page.url)
    assert found is not None, page.url
    return int(found[1])


def include(page: Any, url: str, patient_id: int, starts_on: dt.date) -> None:
    """The wizard, step by step, from the patient page's link; ends on the ordonnance."""
    page.goto(f"{url}/ui/patients/{patient_id}")
    page.click("text=Inclure ce patient en télésurveillance")
    page.select_option("#inclusion-indication", "insuffisance_cardiaque")
    _submit(page, f"/ui/patients/{patient_id}/include")
    page.check("input[name=sous_population]")
    with page.expect_navigation():
        page.click("#h-step2 ~ form button[type=submit]")
    for box in page.locator("input[name=criteres]").all():
        box.check()
    page.fill("#inclusion-starts_on", starts_on.isoformat())
    page.fill("#inclusion-consent_on", starts_on.isoformat())
    page.select_option("#inclusion-consent_method", "ecrit")
    page.select_option("#inclusion-dmn_id", index=1)
    page.select_option("#inclusion-months", "6")
    page.locator("#h-step3").scroll_into_view_if_needed()


def submit_inclusion(page: Any, patient_id: int) -> None:
    with page.expect_navigation():
        page.click(f"form[action='/ui/patients/{patient_id}/include'][method=post] button")


def download_ordonnance(page: Any) -> bytes:
    """The doctor records their address and phone, then downloads the ordonnance."""
    page.fill("#my-address", "Centre hospitalier Exemple, 1 place de l'Hôpital, 69003 Lyon")
    page.fill("#my-phone", "04 72 11 22 33")
    with page.expect_navigation():
        page.click("#my-contact button[type=submit]")
    with page.expect_download() as caught:
        page.click("text=Télécharger l'ordonnance (PDF)")
    path = caught.value.path()
    return bytes(open(path, "rb").read())


def post_weights(url: str, token: str, patient_id: int, days: list[dt.date]) -> None:
    """The connected scale posts one weight a day through the FHIR API (device token); the last
    three days gain 3 kg (what the heart-failure alert rule looks for)."""
    for k, day in enumerate(days):
        value = 72.0 + (3.0 if k >= len(days) - 3 else 0.0)
        at = f"{day.isoformat()}T07:30:00+01:00"
        body = {
            "resourceType": "Observation",
            "identifier": [{"system": "urn:device:scale-walkthrough", "value": at}],
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": at,
            "valueQuantity": {
                "value": value,
                "unit": "kg",
                "system": "http://unitsofmeasure.org",
                "code": "kg",
            },
        }
        request = urllib.request.Request(
            f"{url}/fhir/Observation",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/fhir+json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status in (200, 201), answer.status


def overflow(page: Any) -> int:
    return setup_steps.overflow(page)
