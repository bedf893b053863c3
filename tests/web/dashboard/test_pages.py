"""Regulation, billing and alerts pages, the language switch and the static files."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql.core import tables
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock

DAY = dt.timedelta(days=1)


def test_the_regulation_page_shows_every_parameter_with_its_citations(
    make_client: ClientFactory, regulation: object
) -> None:
    html = make_client(now=clock).get("/ui/regulation?at=2024-06-01").text
    for timeline in regulation:  # type: ignore[attr-defined]
        assert f'id="{timeline.name}"' in html
    assert 'class="cites"' in html
    assert "1 juin 2024" in html or "1er juin 2024" in html


def test_a_parameter_not_yet_in_force_says_so(make_client: ClientFactory) -> None:
    html = make_client(now=clock).get("/ui/regulation?at=2000-01-01").text
    assert "rien en vigueur à cette date" in html


def test_switching_to_english_sets_a_cookie_and_translates_the_pages(
    make_client: ClientFactory,
) -> None:
    client = make_client(now=clock)
    moved = client.get("/ui/lang/en?next=/ui/regulation", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == "/ui/regulation"
    html = client.get("/ui/regulation").text
    assert "Regulatory parameters" in html
    assert '<html lang="en">' in html


def test_the_language_switch_never_redirects_off_site(make_client: ClientFactory) -> None:
    moved = make_client(now=clock).get("/ui/lang/en?next=//evil.example", follow_redirects=False)
    assert moved.headers["location"] == "/ui/worklist"


def test_an_unknown_language_is_404(make_client: ClientFactory) -> None:
    assert make_client(now=clock).get("/ui/lang/de", follow_redirects=False).status_code == 404


def test_the_billing_page_shows_amounts_amo_and_the_rest(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 45 * DAY
    patient = add_patient("insuffisance_cardiaque", start, [start + i * DAY for i in range(30)])
    html = make_client(now=clock).get(f"/ui/billing?patient={patient}").text
    # ALD: the AMO pays the whole forfait opérateur (28 €), nothing is left to the patient.
    assert "opérateur 28,00\xa0€" in html
    assert "<div>0,00\xa0€</div>" in html
    assert "/api/billing/exports/operateurs/" in html


def test_the_alerts_page_is_empty_without_alerts(make_client: ClientFactory) -> None:
    html = make_client(now=clock).get("/ui/alerts").text
    assert "Rien à signaler." in html


def test_the_home_page_goes_to_the_worklist(make_client: ClientFactory) -> None:
    # the physician's home (the administrateur's is the set-up page since issue 15)
    moved = make_client("medecin", now=clock).get("/", follow_redirects=False)
    assert moved.headers["location"] == "/ui/worklist"


def test_the_static_files_are_public(make_client: ClientFactory) -> None:
    anonymous = make_client(authenticated=False)
    assert anonymous.get("/static/dashboard/charts.js").status_code == 200
    assert anonymous.get("/static/vendor/uplot/uPlot.iife.min.js").status_code == 200
    assert anonymous.get("/static/vendor/htmx/LICENSE").status_code == 200


def test_the_pages_need_a_log_in(make_client: ClientFactory) -> None:
    anonymous = make_client(authenticated=False)
    assert anonymous.get("/ui/worklist", follow_redirects=False).status_code in (303, 401)


def test_an_exploitant_sees_its_forfait_technique_view(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 45 * DAY
    add_patient("insuffisance_cardiaque", start, [start + i * DAY for i in range(30)])
    with engine.connect() as conn:
        exploitant = conn.execute(sa.select(tables.exploitants.c.id)).scalar_one()
    html = (
        make_client(role="exploitant", exploitant_id=exploitant, now=clock).get("/ui/billing").text
    )
    assert "Forfait technique de l&#39;exploitant" in html
    assert "APPROXIMATIF" in html
    assert "/api/billing/exports/operateurs/" not in html


def test_the_billing_page_is_cut_into_pages_of_25_prises_en_charge(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    for i in range(26):
        add_patient("insuffisance_cardiaque", TODAY - 40 * DAY, [], family=f"Page{i:02d}")
    client = make_client(now=clock)
    first = client.get("/ui/billing").text
    assert "Page 1 sur 2" in first
    assert "PAGE25" not in first
    assert "PAGE25" in client.get("/ui/billing?page=2").text
