"""The worklist reads one page of a section at a time: the most urgent first, pages of
`worklist.LIMIT` with the section's total, the filters kept by the database."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.dashboard import worklist as sql_worklist
from telesurveillance.adapters.sql.dashboard import worklist_page
from telesurveillance.domain.regulation import store
from telesurveillance.services.dashboard import worklist
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import TODAY, AddPatient, clock

DAY = dt.timedelta(days=1)
START = TODAY - 20 * DAY  # heart failure: day 21 of 30, 15 days needed, 10 left


def _risk_section(html: str) -> str:
    return html.split('id="h-risk"', 1)[1].split("</section>", 1)[0]


def _one_more_than_a_page(add_patient: AddPatient) -> None:
    for i in range(worklist.LIMIT):
        add_patient("insuffisance_cardiaque", START, [], family=f"Z{i:03d}")
    # out of reach too (4 + 10 < 15) but missing the fewest days: last of the section
    add_patient(
        "insuffisance_cardiaque", START, [START + i * DAY for i in range(4)], family="Quatre"
    )


def test_the_at_risk_section_shows_the_most_urgent_page_first_and_the_rest_on_the_next(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    _one_more_than_a_page(add_patient)
    client = make_client(now=clock)
    first = client.get("/ui/worklist").text
    assert f'data-count="at_risk">{worklist.LIMIT + 1}<' in first
    assert "QUATRE" not in _risk_section(first)
    assert _risk_section(first).count("outlook-unreachable") == worklist.LIMIT
    second = _risk_section(client.get("/ui/worklist?status=at_risk&page=2").text)
    assert "QUATRE" in second
    assert "Z000" not in second
    assert f"Page 2 sur 2 · patients {worklist.LIMIT + 1} à {worklist.LIMIT + 1}" in second


def test_a_page_past_the_last_shows_the_last_page(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    _one_more_than_a_page(add_patient)
    page = _risk_section(make_client(now=clock).get("/ui/worklist?status=at_risk&page=9").text)
    assert "QUATRE" in page
    assert "Page 2 sur 2" in page


def test_the_pages_speak_english_when_asked(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    _one_more_than_a_page(add_patient)
    client = make_client(now=clock)
    client.cookies.set("tsv_lang", "en")
    page = _risk_section(client.get("/ui/worklist?status=at_risk").text)
    assert f"Page 1 of 2 · patients 1 to {worklist.LIMIT} of {worklist.LIMIT + 1}" in page
    assert 'rel="next">Next page →</a>' in page
    assert 'rel="prev"' not in page


def test_the_member_filter_keeps_the_patients_that_member_prescribed_for(
    engine: sa.Engine, make_client: ClientFactory, add_patient: AddPatient
) -> None:
    mine = add_patient("insuffisance_cardiaque", START, [], family="Mienne")
    add_patient("insuffisance_cardiaque", START, [], family="Autre")
    with database.writing(engine) as conn:
        member = conn.execute(sa.select(tables.practitioners.c.id)).scalar_one()
        conn.execute(
            sa.update(tables.prises_en_charge)
            .where(tables.prises_en_charge.c.patient_id == mine)
            .values(prescriber_id=member)
        )
    html = make_client(now=clock).get(f"/ui/worklist?member={member}").text
    assert "MIENNE" in html
    assert "AUTRE" not in html
    assert 'data-count="followed">1<' in html


def test_a_period_that_began_today_is_counted_from_zero_on_the_first_read(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    start = TODAY - 30 * DAY  # day 1 of the second period: the first period's days are gone
    add_patient(
        "insuffisance_cardiaque", start, [start + i * DAY for i in range(20)], family="Neuf"
    )
    client = make_client(now=clock)
    risk = _risk_section(client.get("/ui/worklist").text)
    assert "NEUF" in risk
    assert "0 / 15" in risk


def test_a_statement_built_for_one_day_and_filter_answers_another_as_a_fresh_one_would(
    engine: sa.Engine, add_patient: AddPatient
) -> None:
    """The page's statement is built once per shape and reused: the day, the thresholds, the
    filter's value and the page are parameters, never values frozen into the statement."""
    add_patient("insuffisance_cardiaque", START, [], family="Coeur")
    add_patient("diabete", START, [START + i * DAY for i in range(18)], family="Sucre")
    add_patient("insuffisance_cardiaque", START - 150 * DAY, [], months=6, family="Renouvelle")
    regulation = store.packaged()
    asked = [
        (TODAY, "insuffisance_cardiaque", {"at_risk": (0, 1), "renewals": (0, 50)}),
        (TODAY + 9 * DAY, "diabete", {"at_risk": (0, 50), "renewals": (1, 50)}),
        (TODAY - 12 * DAY, "insuffisance_cardiaque", {"at_risk": (1, 50), "renewals": (0, 1)}),
    ]
    reads = sql_worklist.SqlWorklist(engine)
    for today, indication, pages in asked:
        c = worklist.criteria(regulation, today, indication, None)
        reads.roll_over(c)
        reused = worklist_page.overview(engine, c, pages)
        worklist_page._BUILT.clear()
        fresh = worklist_page.overview(engine, c, pages)
        assert reused == fresh
    assert any(worklist_page.overview(engine, c, pages).rows.values())
