"""Uploading a LibreView or Dexcom Clarity export from the patient page: one import through the
ingestion service, the report on the page (accepted, duplicates, skipped, refused by line and
column) in French and English, a file refused whole said next to the field, nothing written by
a role or a scope that may not."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import tables
from telesurveillance.web.dashboard import uploads
from tests.conftest import ROOT, ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock

CGM = ROOT / "tests" / "fixtures" / "cgm"
LIBREVIEW = CGM / "libreview_en_mgdl_month_first.csv"
CLARITY = CGM / "clarity_mgdl_g7.csv"
AMBIGUOUS = CGM / "libreview_en_mmol_ambiguous_dates.csv"
CSV = "text/csv"


def _readings(engine: sa.Engine, patient: int) -> int:
    r = tables.readings.c
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).where(r.patient_id == patient)
        return int(conn.execute(query).scalar_one())


def _post(
    client: TestClient, patient: int, data: bytes, name: str = "export.csv", order: str = ""
) -> httpx.Response:
    return client.post(
        f"/ui/patients/{patient}/uploads",
        files={"export": (name, data, CSV)},
        data={"date_order": order},
    )


def _patient(add_patient: AddPatient) -> int:
    return add_patient("diabete", TODAY - dt.timedelta(days=400), [])


def test_the_patient_page_carries_the_upload_form(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = _patient(add_patient)
    page = make_client("medecin", now=clock).get(f"/ui/patients/{patient}").text
    form = page.split('id="h-upload"', 1)[1]
    assert f'action="/ui/patients/{patient}/uploads"' in form
    assert 'enctype="multipart/form-data"' in form
    assert 'name="csrf_token"' in form
    assert "Importer un export de capteur" in form


def test_a_libreview_export_uploads_with_exact_counts_and_its_refused_lines(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = _patient(add_patient)
    client = make_client("medecin", now=clock)
    answer = _post(client, patient, LIBREVIEW.read_bytes(), LIBREVIEW.name)
    assert answer.status_code == 200, answer.text
    report = answer.text.split('id="upload-report"', 1)[1].split('id="upload"', 1)[0]
    counts = [c.split("</strong>")[0] for c in report.split("<strong>")[1:5]]
    assert counts == ["8", "1", "4", "2"]
    assert "lignes acceptées" in report
    assert "lignes refusées" in report
    assert "15 lignes lues, 8 nouvelle(s) mesure(s)" in report
    assert "<td>8</td>" in report
    assert "<td>17</td>" in report
    assert "9999" in report  # the implausible value, named
    assert "Export LibreView" in report
    assert _readings(engine, patient) == 8


def test_a_second_upload_of_the_same_file_creates_nothing(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = _patient(add_patient)
    client = make_client("soignant", now=clock)
    _post(client, patient, LIBREVIEW.read_bytes())
    again = _post(client, patient, LIBREVIEW.read_bytes())
    report = again.text.split('id="upload-report"', 1)[1]
    counts = [c.split("</strong>")[0] for c in report.split("<strong>")[1:5]]
    assert counts == ["0", "9", "4", "2"]
    assert _readings(engine, patient) == 8


def test_a_clarity_export_uploads_and_the_report_speaks_english_when_chosen(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = _patient(add_patient)
    client = make_client("medecin", now=clock)
    client.cookies.set("tsv_lang", "en")
    answer = _post(client, patient, CLARITY.read_bytes(), CLARITY.name)
    assert answer.status_code == 200, answer.text
    report = answer.text.split('id="upload-report"', 1)[1]
    counts = [c.split("</strong>")[0] for c in report.split("<strong>")[1:5]]
    assert counts == ["6", "0", "13", "1"]
    assert "Dexcom Clarity export" in report
    assert "lines accepted" in report
    assert _readings(engine, patient) > 0


def test_ambiguous_dates_are_refused_whole_until_the_order_is_chosen(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = _patient(add_patient)
    client = make_client("medecin", now=clock)
    refused = _post(client, patient, AMBIGUOUS.read_bytes())
    assert refused.status_code == 422
    assert 'id="err-upload-export"' in refused.text
    assert "Fichier refusé en entier" in refused.text
    assert "ambiguous" in refused.text  # the parser's own words, with the line
    assert _readings(engine, patient) == 0
    chosen = _post(client, patient, AMBIGUOUS.read_bytes(), order="DMY")
    assert chosen.status_code == 200, chosen.text
    assert '<option value="DMY" selected>' in chosen.text  # the choice is kept
    assert _readings(engine, patient) > 0


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"name,value\nJeanne,5\n", 422, "Fichier refusé en entier"),
        (b"  \n", 400, "Le fichier est vide."),
    ],
)
def test_a_file_that_is_no_export_is_refused_at_the_field_and_stores_nothing(
    make_client: ClientFactory,
    add_patient: AddPatient,
    engine: sa.Engine,
    data: bytes,
    status: int,
    message: str,
) -> None:
    patient = _patient(add_patient)
    answer = _post(make_client("medecin", now=clock), patient, data)
    assert answer.status_code == status
    assert message in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert _readings(engine, patient) == 0


def test_a_file_over_the_size_limit_is_refused_with_the_limit_and_one_at_it_is_read(
    make_client: ClientFactory,
    add_patient: AddPatient,
    engine: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patient = _patient(add_patient)
    data = LIBREVIEW.read_bytes()
    monkeypatch.setattr(uploads, "MAX_BYTES", len(data) - 1)
    client = make_client("medecin", now=clock)
    over = _post(client, patient, data)
    assert over.status_code == 413
    assert "Fichier trop volumineux" in over.text
    assert _readings(engine, patient) == 0
    monkeypatch.setattr(uploads, "MAX_BYTES", len(data))
    assert _post(client, patient, data).status_code == 200
    assert _readings(engine, patient) == 8


def test_no_file_chosen_is_said_at_the_field(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = _patient(add_patient)
    answer = make_client("medecin", now=clock).post(
        f"/ui/patients/{patient}/uploads", data={"date_order": ""}
    )
    assert answer.status_code == 400
    assert "Choisissez le fichier à importer." in answer.text


def test_billing_staff_may_not_upload_and_nothing_is_stored(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = _patient(add_patient)
    answer = _post(make_client("facturation", now=clock), patient, LIBREVIEW.read_bytes())
    assert answer.status_code == 403
    assert _readings(engine, patient) == 0


def test_a_patient_token_may_not_upload_for_itself_nor_for_another_patient(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    mine = _patient(add_patient)
    other = add_patient("diabete", TODAY - dt.timedelta(days=400), [], family="Martin")
    client = make_client("patient", patient_id=mine, now=clock)
    for patient in (mine, other):
        assert _post(client, patient, LIBREVIEW.read_bytes()).status_code == 403
        assert _readings(engine, patient) == 0
