"""The billing desk: periods of a month with their verdicts explained, totals, series ready to send,
marking lines sent / paid / rejected with who and when, and warnings for missing identifiers."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.billing import ledger as sql_ledger
from telesurveillance.adapters.sql.billing import tables as billing_tables
from telesurveillance.adapters.sql.core import tables
from telesurveillance.domain.regulation import store
from telesurveillance.services.billing import ledger, lines, run
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import NOW, TODAY, AddPatient, clock

DAY = dt.timedelta(days=1)
START = TODAY - 75 * DAY  # two elapsed periods, the first in September, the second in October


def _billed(engine: sa.Engine, regulation: store.Regulation) -> list[ledger.Line]:
    return list(
        run.run(sql_ledger.SqlLedger(engine), regulation, TODAY, actor="test", now=NOW).written
    )


def _identified(engine: sa.Engine, patient: int) -> None:
    """Give the patient a NIR, the prescriber an RPPS and the opérateur a FINESS."""
    with database.writing(engine) as conn:
        conn.execute(
            sa.update(tables.patients)
            .where(tables.patients.c.id == patient)
            .values(nir="250037512312345", nir_type="NIR")
        )
        conn.execute(sa.update(tables.practitioners).values(rpps="10003456789"))
        doctor = conn.execute(sa.select(tables.practitioners.c.id)).scalars().first()
        conn.execute(sa.update(tables.prises_en_charge).values(prescriber_id=doctor))
        conn.execute(sa.update(tables.operateurs).values(finess="750712184"))


def test_facturation_lands_on_the_desk(make_client: ClientFactory) -> None:
    moved = make_client("facturation", now=clock).get("/", follow_redirects=False)
    assert moved.headers["location"] == "/ui/desk"


def test_the_desk_shows_the_month_totals_and_the_deciding_sentence(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine, regulation: object
) -> None:
    patient = add_patient("insuffisance_cardiaque", START, [START + i * DAY for i in range(60)])
    _identified(engine, patient)
    _billed(engine, regulation)  # type: ignore[arg-type]
    client = make_client("facturation", now=clock)
    html = client.get(f"/ui/desk?month={START:%Y-%m}").text
    assert "Bureau de facturation" in html
    # ALD: the AMO pays the whole forfait opérateur (28 €), nothing left to the patient
    assert "<td>28,00\xa0€</td><td>28,00\xa0€</td><td>0,00\xa0€</td>" in html
    assert 'class="decision"' in html
    assert 'class="amounts"' in html  # the explanation's amounts sentence
    assert "à envoyer" in html
    assert "Identifiants manquants" not in html
    assert "/api/billing/exports/operateurs/" in html


def test_missing_identifiers_are_a_warning_not_blank_columns(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine, regulation: object
) -> None:
    add_patient("insuffisance_cardiaque", START, [START + i * DAY for i in range(60)])
    _billed(engine, regulation)  # type: ignore[arg-type]
    html = make_client("facturation", now=clock).get("/ui/desk").text
    assert "Identifiants manquants" in html
    assert "1 période sans NIR du patient" in html
    assert "NIR manquant" in html
    assert "RPPS du prescripteur manquant" in html


def test_a_series_is_marked_sent_with_who_and_when_then_paid(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine, regulation: object
) -> None:
    patient = add_patient("insuffisance_cardiaque", START, [START + i * DAY for i in range(60)])
    _identified(engine, patient)
    written = _billed(engine, regulation)  # type: ignore[arg-type]
    ids = sorted(ln.id for ln in written if ln.id is not None)
    client = make_client("facturation", now=clock)
    page = client.get("/ui/desk").text
    assert "Séries prêtes à envoyer" in page
    operateur_lines = [ln.id for ln in written if ln.forfait.value == "operateur"]
    sent = client.post(
        "/ui/desk/lines",
        data={"status": "sent", "ids": operateur_lines, "back": "/ui/desk"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "done=marked" in sent.headers["location"]
    events = sql_ledger.SqlLedger(engine).latest_events(ids)
    assert {i: e.status for i, e in events.items()} == dict.fromkeys(
        operateur_lines, ledger.Status.SENT
    )
    assert {e.actor for e in events.values()} == {"test facturation"}
    html = client.get(f"/ui/desk?month={START:%Y-%m}").text
    assert "par test facturation le" in html
    # a sent line may be paid; a line never sent may not
    ev = billing_tables.billing_line_events
    unsent = [i for i in ids if i not in operateur_lines]
    paid = client.post(
        "/ui/desk/lines",
        data={"status": "paid", "ids": [*operateur_lines, *unsent],
              "note": "virement 12", "back": "/ui/desk"},
        follow_redirects=False,
    )  # fmt: skip
    assert f"recorded={len(operateur_lines)}" in paid.headers["location"]
    assert f"refused={len(unsent)}" in paid.headers["location"]
    with engine.connect() as conn:
        notes = conn.execute(sa.select(ev.c.note).where(ev.c.status == "paid")).scalars().all()
    assert notes == ["virement 12"] * len(operateur_lines)


def test_marking_without_a_status_or_a_line_is_refused_and_keeps_the_note(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine, regulation: object
) -> None:
    add_patient("insuffisance_cardiaque", START, [START + i * DAY for i in range(60)])
    written = _billed(engine, regulation)  # type: ignore[arg-type]
    client = make_client("facturation", now=clock)
    one = [written[0].id]
    no_status = client.post("/ui/desk/lines", data={"ids": one, "note": "lot 7"})
    assert no_status.status_code == 422
    assert "Choisissez le statut" in no_status.text
    assert 'value="lot 7"' in no_status.text
    no_line = client.post("/ui/desk/lines", data={"status": "sent"})
    assert no_line.status_code == 422
    assert "Cochez au moins une ligne" in no_line.text
    at_limit = "x" * lines.NOTE_MAX
    accepted = client.post(
        "/ui/desk/lines",
        data={"status": "sent", "ids": one, "note": at_limit},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    over = client.post(
        "/ui/desk/lines",
        data={"status": "paid", "ids": one, "note": at_limit + "x"},
    )
    assert over.status_code == 422
    assert "La note dépasse 500 caractères" in over.text
    assert sql_ledger.SqlLedger(engine).latest_events(one)[one[0]].status is ledger.Status.SENT  # type: ignore[index]


def test_the_filters_keep_billable_or_refused_periods_and_their_reasons(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    add_patient(
        "insuffisance_cardiaque", START, [START + i * DAY for i in range(60)], family="Plein"
    )
    add_patient("insuffisance_cardiaque", START, [], family="Vide")
    client = make_client("facturation", now=clock)
    refused = client.get(f"/ui/desk?month={START:%Y-%m}&billable=no").text
    assert "VIDE" in refused
    assert "PLEIN" not in refused
    billable = client.get(f"/ui/desk?month={START:%Y-%m}&billable=yes").text
    assert "PLEIN" in billable
    assert "VIDE" not in billable
    reason = re.search(r'name="reason">.*?<option value="([^"]+)"', refused, re.S)
    assert reason
    by_reason = client.get(f"/ui/desk?month={START:%Y-%m}&reason={reason.group(1)}").text
    assert "VIDE" in by_reason
    assert "PLEIN" not in by_reason


def test_the_desk_is_in_english_too(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine, regulation: object
) -> None:
    add_patient("insuffisance_cardiaque", START, [START + i * DAY for i in range(60)])
    _billed(engine, regulation)  # type: ignore[arg-type]
    client = make_client("facturation", now=clock)
    client.cookies.set("tsv_lang", "en")
    html = client.get("/ui/desk").text
    assert "Billing desk" in html
    assert "Series ready to send" in html
    assert "period without the patient&#39;s NIR" in html
    assert "Bureau" not in html


def test_the_exploitant_and_the_nurse_may_not_open_the_desk(make_client: ClientFactory) -> None:
    assert make_client("soignant", now=clock).get("/ui/desk").status_code == 403
    assert make_client("exploitant", now=clock, exploitant_id=1).get("/ui/desk").status_code == 403
