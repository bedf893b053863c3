"""Access links: created by the team (shown once, QR code, digest only), used once or until
they expire (7 days at most), revocable; using one opens a session limited to its patient;
expired, revoked, used and unknown links get a clear page; attempts are limited and audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from telesurveillance.adapters.sql.core import tables
from telesurveillance.adapters.sql.patient_space import tables as space_tables
from telesurveillance.adapters.sql.security import accounts as security_accounts
from telesurveillance.adapters.sql.security import tables as security_tables
from telesurveillance.domain.access import roles
from telesurveillance.services.patient_space import links
from telesurveillance.services.security import accounts
from tests.conftest import ClientFactory
from tests.web.dashboard.conftest import NOW, TODAY, AddPatient, clock

SINCE = TODAY - dt.timedelta(days=10)
LINK = re.compile(r"<code>http://testserver(/acces#[A-Za-z0-9_-]{43})</code>")


def _create(team: TestClient, patient: int, days: int = 7, single_use: bool = False) -> str:
    data = {"days": str(days)} | ({"single_use": "true"} if single_use else {})
    answer = team.post(f"/ui/patients/{patient}/espace-patient/liens", data=data)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert "<svg" in answer.text
    assert 'class="qr"' in answer.text
    found = LINK.search(answer.text)
    assert found is not None
    return found.group(1)


def _open(browser: TestClient, path: str) -> TestClient:
    """Open the link as a patient's browser: the landing page, then its button."""
    landing = browser.get(path)  # the fragment stays in the browser
    assert landing.status_code == 200
    secret = path.split("#", 1)[1]
    csrf = re.search(r'name="link_csrf" value="([^"]+)"', landing.text)
    assert csrf is not None
    data = {"secret": secret, "link_csrf": csrf.group(1)}
    live = re.search(r'name="csrf_token" value="([^"]+)"', landing.text)
    if live is not None:  # the browser has a session: the gate wants its token too
        data["csrf_token"] = live.group(1)
    assert browser.post("/acces", data=data, follow_redirects=False).status_code == 303
    return browser


def _browser(make_client: ClientFactory, now: object = clock) -> TestClient:
    return make_client(authenticated=False, now=now)


def _at(moment: dt.datetime) -> object:
    return lambda: moment


def test_the_link_is_shown_once_and_only_its_digest_is_stored(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    team = make_client("medecin", now=clock)
    path = _create(team, patient)
    secret = path.split("#", 1)[1]
    with engine.connect() as conn:
        stored = conn.execute(sa.select(space_tables.patient_links)).one()
    assert stored.digest == links.digest(secret)
    assert secret not in str(tuple(stored))
    assert stored.patient_id == patient
    listing = team.get(f"/ui/patients/{patient}/espace-patient").text
    assert secret not in listing
    assert "actif" in listing


def test_using_the_link_opens_the_patients_own_page_and_nothing_else(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    other = add_patient("insuffisance_cardiaque", SINCE, [], family="Martin")
    path = _create(make_client("medecin", now=clock), patient)
    browser = _browser(make_client)
    landing = browser.get(path)
    assert "Ouvrir mon espace" in landing.text
    secret = path.split("#", 1)[1]
    csrf = re.search(r'name="link_csrf" value="([^"]+)"', landing.text)
    assert csrf is not None
    opened = browser.post(
        "/acces", data={"secret": secret, "link_csrf": csrf.group(1)}, follow_redirects=False
    )
    assert opened.status_code == 303
    assert opened.headers["location"] == "/moi"
    assert "tsv_link=" in opened.headers["set-cookie"]
    assert "httponly" in opened.headers["set-cookie"].lower()
    page = browser.get("/moi")
    assert page.status_code == 200
    assert "Bonjour Jeanne" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    saved = browser.post(
        "/moi/saisie/weight",
        data={"weight": "80", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    r = tables.readings.c
    with engine.connect() as conn:
        found = conn.execute(sa.select(r.patient_id, r.value)).all()
    assert [tuple(x) for x in found] == [(patient, 80.0)]
    e = space_tables.patient_entries.c
    with engine.connect() as conn:
        assert conn.execute(sa.select(e.entered_by)).scalar_one().startswith("link/")
    for forbidden in (f"/ui/patients/{other}", f"/ui/patients/{patient}", "/ui/worklist"):
        assert browser.get(forbidden).status_code == 403, forbidden


def test_a_link_session_must_carry_its_csrf_token(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    browser = _open(_browser(make_client), _create(make_client("medecin", now=clock), patient))
    refused = browser.post("/moi/saisie/weight", data={"weight": "80"})
    assert refused.status_code == 403
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.readings)).scalar() == 0


def test_a_single_use_link_opens_one_session_then_says_it_was_used(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    path = _create(make_client("medecin", now=clock), patient, single_use=True)
    first = _open(_browser(make_client), path)
    assert first.get("/moi").status_code == 200
    second = _browser(make_client)
    landing = second.get(path)
    csrf = re.search(r'name="link_csrf" value="([^"]+)"', landing.text)
    assert csrf is not None
    answer = second.post(
        "/acces", data={"secret": path.split("#", 1)[1], "link_csrf": csrf.group(1)}
    )
    assert answer.status_code == 410
    assert "Ce lien a déjà servi" in answer.text
    assert second.get("/moi").status_code == 401


def test_a_reusable_link_opens_several_sessions_until_it_expires(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    path = _create(make_client("medecin", now=clock), patient, days=3)
    assert _open(_browser(make_client), path).get("/moi").status_code == 200
    just_before = _at(NOW + dt.timedelta(days=3) - dt.timedelta(seconds=1))
    assert _open(_browser(make_client, just_before), path).get("/moi").status_code == 200
    at_expiry = _browser(make_client, _at(NOW + dt.timedelta(days=3)))
    landing = at_expiry.get(path)
    csrf = re.search(r'name="link_csrf" value="([^"]+)"', landing.text)
    assert csrf is not None
    answer = at_expiry.post(
        "/acces", data={"secret": path.split("#", 1)[1], "link_csrf": csrf.group(1)}
    )
    assert answer.status_code == 410
    assert "Ce lien a expiré" in answer.text


@pytest.mark.parametrize(("days", "status"), [(0, 422), (1, 200), (7, 200), (8, 422)])
def test_a_link_is_valid_one_to_seven_days(
    make_client: ClientFactory, add_patient: AddPatient, days: int, status: int
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    answer = make_client("medecin", now=clock).post(
        f"/ui/patients/{patient}/espace-patient/liens", data={"days": str(days)}
    )
    assert answer.status_code == status


def test_revoking_a_link_ends_its_sessions_and_refuses_it(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    team = make_client("soignant", now=clock)
    path = _create(team, patient)
    browser = _open(_browser(make_client), path)
    assert browser.get("/moi").status_code == 200
    with engine.connect() as conn:
        link_id = conn.execute(sa.select(space_tables.patient_links.c.id)).scalar_one()
    done = team.post(
        f"/ui/patients/{patient}/espace-patient/liens/{link_id}/revoquer", follow_redirects=False
    )
    assert "done=link_revoked" in done.headers["location"]
    assert browser.get("/moi").status_code == 401
    again = _browser(make_client)
    landing = again.get(path)
    csrf = re.search(r'name="link_csrf" value="([^"]+)"', landing.text)
    assert csrf is not None
    answer = again.post(
        "/acces", data={"secret": path.split("#", 1)[1], "link_csrf": csrf.group(1)}
    )
    assert answer.status_code == 410
    assert "annulé par votre équipe" in answer.text


def test_a_link_of_another_patient_is_not_revoked_through_this_patients_page(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    other = add_patient("insuffisance_cardiaque", SINCE, [], family="Martin")
    team = make_client("medecin", now=clock)
    _create(team, other)
    with engine.connect() as conn:
        link_id = conn.execute(sa.select(space_tables.patient_links.c.id)).scalar_one()
    done = team.post(
        f"/ui/patients/{patient}/espace-patient/liens/{link_id}/revoquer", follow_redirects=False
    )
    assert "done=link_missing" in done.headers["location"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(space_tables.patient_links.c.revoked_at)).scalar() is None


def test_an_unknown_link_gets_a_clear_page_and_opens_nothing(make_client: ClientFactory) -> None:
    browser = _browser(make_client)
    landing = browser.get("/acces")
    csrf = re.search(r'name="link_csrf" value="([^"]+)"', landing.text)
    assert csrf is not None
    answer = browser.post("/acces", data={"secret": "x" * 43, "link_csrf": csrf.group(1)})
    assert answer.status_code == 404
    assert "Ce lien n&#39;est pas valable" in answer.text
    assert browser.get("/moi").status_code == 401


def test_the_link_form_refuses_a_post_without_its_cookie(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    path = _create(make_client("medecin", now=clock), patient)
    answer = _browser(make_client).post(
        "/acces", data={"secret": path.split("#", 1)[1], "link_csrf": "forged"}
    )
    assert answer.status_code == 403


def test_attempts_are_limited_per_address_and_every_attempt_is_audited(
    make_client: ClientFactory, engine: sa.Engine
) -> None:
    browser = _browser(make_client)
    landing = browser.get("/acces")
    csrf = re.search(r'name="link_csrf" value="([^"]+)"', landing.text)
    assert csrf is not None
    statuses = [
        browser.post("/acces", data={"secret": "y" * 43, "link_csrf": csrf.group(1)}).status_code
        for _ in range(11)
    ]
    assert statuses == [404] * 10 + [429]
    a = security_tables.audit_events.c
    with engine.connect() as conn:
        events = conn.execute(
            sa.select(a.status).where(a.route == "patient_space.link_open").order_by(a.id)
        ).scalars()
        assert list(events) == [404] * 10 + [429]


def test_a_successful_use_is_audited_with_the_link_and_its_patient(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    _open(_browser(make_client), _create(make_client("medecin", now=clock), patient))
    a = security_tables.audit_events.c
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(a.actor, a.patient_id, a.status).where(a.route == "patient_space.link_open")
        ).one()
    assert row.actor.startswith("link/")
    assert (row.patient_id, row.status) == (patient, 303)


def test_logging_out_ends_the_link_session(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    browser = _open(_browser(make_client), _create(make_client("medecin", now=clock), patient))
    page = browser.get("/moi").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    kept = browser.cookies.get("tsv_link")
    assert kept
    browser.post("/logout", data={"csrf_token": token.group(1)})
    browser.cookies.set("tsv_link", kept)  # the old cookie, replayed: the session has ended
    assert browser.get("/moi").status_code == 401


def test_the_team_page_is_for_the_care_team_only(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    path = f"/ui/patients/{patient}/espace-patient"
    assert make_client("medecin", now=clock).get(path).status_code == 200
    assert make_client("soignant", now=clock).get(path).status_code == 200
    for role in ("facturation", "exploitant"):
        client = make_client(role, now=clock, exploitant_id=1 if role == "exploitant" else None)
        assert client.get(path).status_code == 403, role
    assert (
        make_client("medecin", now=clock).get("/ui/patients/999999/espace-patient").status_code
        == 404
    )


def test_a_link_session_lasts_eight_hours(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    opened = _open(_browser(make_client), _create(make_client("medecin", now=clock), patient))
    cookie = opened.cookies.get("tsv_link")
    assert cookie
    for later, status in ((dt.timedelta(hours=8, seconds=-1), 200), (dt.timedelta(hours=8), 401)):
        browser = _browser(make_client, _at(NOW + later))
        browser.cookies.set("tsv_link", cookie)
        assert browser.get("/moi").status_code == status, later


def test_a_new_link_on_a_phone_already_in_use_opens_the_new_patients_page(
    make_client: ClientFactory, add_patient: AddPatient
) -> None:
    first = add_patient("insuffisance_cardiaque", SINCE, [])
    second = add_patient("oncologie", SINCE, [], family="Martin")
    team = make_client("medecin", now=clock)
    browser = _open(_browser(make_client), _create(team, first))
    old = browser.cookies.get("tsv_link")
    assert "Mes symptômes" in browser.get("/moi").text
    landing = browser.get("/acces")
    assert 'name="csrf_token"' in landing.text  # the live session's token, for the gate
    _open(browser, _create(team, second))
    assert "Mes effets indésirables" in browser.get("/moi").text
    again = _browser(make_client)
    again.cookies.set("tsv_link", str(old))
    assert again.get("/moi").status_code == 401  # the previous session has ended


def test_a_link_used_in_a_browser_logged_in_to_an_account_ends_that_session(
    make_client: ClientFactory, add_patient: AddPatient, engine: sa.Engine
) -> None:
    patient = add_patient("insuffisance_cardiaque", SINCE, [])
    password = "Soignante-Test-2026!"
    store = security_accounts.SqlAccounts(engine)
    accounts.create_account(store, "ines", password, roles.Role.SOIGNANT, NOW)
    browser = _browser(make_client)
    login = browser.get("/login")
    form = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert form is not None
    data = {"username": "ines", "password": password, "csrf_token": form.group(1)}
    assert browser.post("/login", data=data, follow_redirects=False).status_code == 303
    account = browser.cookies.get("tsv_session")
    assert browser.get("/ui/worklist").status_code == 200
    _open(browser, _create(make_client("medecin", now=clock), patient))
    assert "Bonjour Jeanne" in browser.get("/moi").text
    replayed = _browser(make_client)
    replayed.cookies.set("tsv_session", str(account))
    assert replayed.get("/ui/worklist").status_code == 401
