"""A patient's thresholds page: rules with their sources, overrides with a reason within the
plausible range (refusals in French next to the field, what was typed kept), compare-and-set,
reset to the indication's default, the history; the soignant reads, the médecin changes."""

from __future__ import annotations

import datetime as dt

import httpx
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock

RULE = "ir.spo2.basse"


def _post(client: TestClient, patient: int, **form: str) -> httpx.Response:
    data = {"rule": RULE, "field": "threshold", "action": "set", "expected": "", **form}
    return client.post(f"/ui/patients/{patient}/thresholds", data=data, follow_redirects=False)


def test_the_page_lists_the_rules_in_force_with_their_sources_and_defaults(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    page = make_client("soignant", now=clock).get(f"/ui/patients/{patient}/thresholds")
    assert page.status_code == 200
    assert 'id="r-ir.spo2.basse"' in page.text
    assert "BTS guideline for oxygen use" in page.text
    assert "Valeur par défaut de l&#39;indication" in page.text
    assert "de 30 à 100 %" in page.text
    assert "Lecture seule" in page.text
    assert 'name="reason"' not in page.text  # the soignant gets no form


def test_the_patient_page_links_to_the_thresholds(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    page = make_client("medecin", now=clock).get(f"/ui/patients/{patient}")
    assert f'href="/ui/patients/{patient}/thresholds"' in page.text


def test_a_physician_overrides_a_threshold_and_the_history_says_who_when_why(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    client = make_client("medecin", now=clock)
    answer = _post(client, patient, value="85,5", reason="BPCO, cible 85-89 %")
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert "Seuil enregistré" in page.text
    assert "modifiée pour ce patient" in page.text
    history = page.text.split('id="h-history"', 1)[1]
    assert "valeur par défaut → 85,5" in history
    assert "BPCO, cible 85-89 %" in history
    assert "par test medecin, le 23/11/2026 10:00" in history
    assert 'name="expected" value="85.5"' in page.text


def test_a_value_outside_the_plausible_range_is_refused_next_to_the_field(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    client = make_client("medecin", now=clock)
    answer = _post(client, patient, value="100,5", reason="Cible haute")
    assert answer.status_code == 422
    text = answer.text
    assert "Valeur hors de la plage plausible : de 30 à 100 %." in text
    assert 'aria-invalid="true"' in text
    assert 'value="100,5"' in text
    assert 'value="Cible haute"' in text
    assert "valeur par défaut →" not in text  # nothing written
    on_the_edge = _post(client, patient, value="100", reason="Cible haute")
    assert on_the_edge.status_code == 303


def test_a_change_needs_a_reason_and_a_number(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    client = make_client("medecin", now=clock)
    no_reason = _post(client, patient, value="85", reason="  ")
    assert no_reason.status_code == 422
    assert "Le motif est obligatoire" in no_reason.text
    no_number = _post(client, patient, value="quatre-vingt", reason="x")
    assert "Saisissez un nombre" in no_number.text


def test_a_change_from_a_stale_value_is_a_conflict_keeping_what_was_typed(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    client = make_client("medecin", now=clock)
    assert _post(client, patient, value="85", reason="A").status_code == 303
    stale = _post(client, patient, value="86", reason="B", expected="")
    assert stale.status_code == 409
    assert "vient d&#39;être modifié par quelqu&#39;un d&#39;autre" in stale.text
    assert 'value="86"' in stale.text


def test_reset_returns_to_the_indication_default(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    client = make_client("medecin", now=clock)
    _post(client, patient, value="85", reason="A")
    answer = _post(client, patient, action="reset", reason="Fin", expected="85.0")
    assert "done=reset" in answer.headers["location"]
    page = client.get(f"/ui/patients/{patient}/thresholds")
    assert "85 → valeur par défaut" in page.text
    assert "modifiée pour ce patient" not in page.text


def test_a_soignant_may_not_change_a_threshold(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    answer = _post(make_client("soignant", now=clock), patient, value="85", reason="A")
    assert answer.status_code == 403


def test_an_unknown_patient_has_no_thresholds_page(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    answer = make_client("medecin", now=clock).get("/ui/patients/999999/thresholds")
    assert answer.status_code == 404


def test_the_page_is_in_english_too(make_client: ClientFactory, add_patient: AddPatient) -> None:
    patient = add_patient("insuffisance_respiratoire", TODAY - dt.timedelta(days=5), [])
    client = make_client("medecin", now=clock)
    client.cookies.set("tsv_lang", "en")
    page = client.get(f"/ui/patients/{patient}/thresholds")
    assert "Alert thresholds" in page.text
    assert "Indication default" in page.text
