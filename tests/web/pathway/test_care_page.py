"""A prise en charge's page: renewal in its window by the physician logged in, the stop, and
the end-of-care report (addressed right after a death, "patiente", RPPS, signature)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.notes import store as sql_notes
from telesurveillance.adapters.sql.pathway import tables as tp
from telesurveillance.domain.regulation import store
from telesurveillance.services.dashboard import notes
from tests.conftest import ClientFactory
from tests.web.pathway import test_inclusion_wizard as wizard

DURING = dt.datetime(2024, 7, 1, 8, 0, tzinfo=dt.UTC)


def _included(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> tuple[TestClient, str]:
    client = wizard._logged_in(make_client, engine, "cardiologue")
    patient = wizard._patient(engine)
    form = wizard._form(client, patient, engine, criteres=wizard._criteria(regulation))
    done = client.post(f"/ui/patients/{patient}/include", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    return client, done.headers["location"].split("/ordonnance")[0]


def _text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_the_patient_page_links_to_the_care_page(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client, care = _included(make_client, engine, regulation)
    patient_page = client.get(care.split("/cares/")[0])
    assert f'href="{care}"' in patient_page.text


def test_a_renewal_outside_its_window_is_refused_with_the_rule(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client, care = _included(make_client, engine, regulation)
    page = client.get(care)
    token = wizard._csrf(page.text)
    early = client.post(
        f"{care}/renew", data={"prescribed_on": "2024-06-04", "months": "6", "csrf_token": token}
    )
    assert early.status_code == 422
    assert "<code>prescription.renewal_window</code>" in early.text
    assert 'value="2024-06-04"' in early.text


def test_a_renewal_in_its_window_is_written_by_the_physician_logged_in(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client, care = _included(make_client, engine, regulation)
    page = client.get(care)
    # six 30-day periods from 3 June 2024: covered until 30 November (excluded)
    assert "30/11/2024" in page.text or "30 nov" in page.text
    done = client.post(
        f"{care}/renew",
        data={"prescribed_on": "2024-11-20", "months": "6", "csrf_token": wizard._csrf(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with engine.connect() as conn:
        renewals = conn.execute(
            sa.select(tables.prescriptions.c.renewal, tables.prescriptions.c.prescriber_id)
        ).all()
    assert [r.renewal for r in renewals] == [False, True]
    assert renewals[1].prescriber_id == renewals[0].prescriber_id


def test_after_a_death_the_report_is_not_addressed_to_the_patient(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client, care = _included(make_client, engine, regulation)
    patient_id = int(care.split("/")[3])
    notes.add(sql_notes.SqlNotes(engine), patient_id, "Dr Claire", "medecin", "Appel : OK", DURING)
    token = wizard._csrf(client.get(care).text)
    stopped = client.post(
        f"{care}/stop",
        data={"stopped_on": "2024-08-20", "reason": "deces", "csrf_token": token},
        follow_redirects=False,
    )
    assert stopped.status_code == 303
    report = client.get(f"{care}/end-report.pdf")
    assert report.headers["content-type"] == "application/pdf"
    text = _text(report.content)
    assert "Patiente" in text
    assert "décédée le 20 août 2024" in text
    assert "Jeanne MARTIN, patiente" not in text
    assert "None" not in text
    assert re.search(r"RPPS \d{11}", text)
    assert "Signature" in text
    assert "Période" in text
    assert "Appel : OK" in text
    assert "Aucune alerte" in text
    with engine.connect() as conn:
        kinds = conn.execute(sa.select(tp.pathway_documents.c.kind)).scalars().all()
    assert "fin_de_prise_en_charge" in kinds


def test_a_report_while_alive_is_addressed_to_the_patient_too(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client, care = _included(make_client, engine, regulation)
    token = wizard._csrf(client.get(care).text)
    client.post(
        f"{care}/stop",
        data={"stopped_on": "2024-08-20", "reason": "refus_patient", "csrf_token": token},
    )
    text = _text(client.get(f"{care}/end-report.pdf").content)
    assert "Jeanne MARTIN, patiente" in text


def test_a_stop_before_the_start_is_refused_with_the_rule(
    make_client: ClientFactory, engine: sa.Engine, regulation: store.Regulation
) -> None:
    client, care = _included(make_client, engine, regulation)
    token = wizard._csrf(client.get(care).text)
    refused = client.post(
        f"{care}/stop", data={"stopped_on": "2024-06-01", "reason": "deces", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "<code>monitoring.stop_before_start</code>" in refused.text
