"""The frame of the pages: each role lands on its own home, sees only the menu items it may
open, and meets a translated error page inside that frame instead of a bare one."""

from __future__ import annotations

import html

import pytest

from telesurveillance.domain.access import matrix, roles
from telesurveillance.web.dashboard import menu
from tests.conftest import ClientFactory

HTML = {"Accept": "text/html"}


def _who(role: roles.Role) -> roles.Principal:
    return roles.Principal(roles.Kind.ACCOUNT, 1, "someone", role)


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("medecin", "/ui/worklist"),
        ("soignant", "/ui/worklist"),
        ("facturation", "/ui/desk"),
        ("exploitant", "/ui/exploitant"),
        ("administrateur", "/ui/setup"),  # issue 15: the set-up page is its home
    ],
)
def test_each_role_lands_on_its_own_home(make_client: ClientFactory, role: str, home: str) -> None:
    answer = make_client(role=role).get("/", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == home


def test_the_patient_lands_on_their_own_page(make_client: ClientFactory) -> None:
    # issue 17: the patient role has a page of its own (web/patient_space)
    answer = make_client(role="patient", patient_id=1).get("/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/moi"


def test_a_role_with_no_page_gets_a_page_that_says_so(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every role has a home now: take the patient's away to reach the page
    monkeypatch.setitem(menu.HOMES, roles.Role.PATIENT, ())
    answer = make_client(role="patient", patient_id=1).get("/", headers=HTML)
    assert answer.status_code == 200
    text = html.unescape(answer.text)
    assert "Votre rôle n'a pas de page d'accueil dans l'espace de travail." in text
    assert 'href="/"' not in text  # no link back to itself


@pytest.mark.parametrize("role", list(roles.Role))
def test_the_menu_offers_only_pages_the_role_may_open(role: roles.Role) -> None:
    table = matrix.packaged()
    who = _who(role)
    for item in menu.visible(who, table):
        assert table.decide(item.route, who) is matrix.Decision.ALLOW, item
    hidden = [i for i in menu.ITEMS if i not in menu.visible(who, table)]
    for item in hidden:
        rule = table.rule(item.route)
        own_page_without_patient = rule is not None and rule.patient_self
        allowed = table.decide(item.route, who) is matrix.Decision.ALLOW
        assert not allowed or own_page_without_patient, item


def test_the_administrateur_is_not_offered_a_patients_own_page() -> None:
    # it may call every route, but "Mon espace" acts on the caller's own patient: it has none
    routes = [i.route for i in menu.visible(_who(roles.Role.ADMINISTRATEUR), matrix.packaged())]
    assert "patient_space.home" not in routes
    assert "dashboard.setup" in routes


def test_a_patients_menu_holds_their_own_page_only() -> None:
    patient = roles.Principal(roles.Kind.ACCOUNT, 1, "P", roles.Role.PATIENT, patient_id=7)
    routes = [i.route for i in menu.visible(patient, matrix.packaged())]
    assert routes == ["patient_space.home"]


def test_the_soignant_is_not_offered_the_billing_page(make_client: ClientFactory) -> None:
    page = make_client(role="soignant").get("/ui/worklist", headers=HTML)
    assert page.status_code == 200
    assert 'href="/ui/worklist"' in page.text
    assert 'href="/ui/billing"' not in page.text


def test_every_menu_item_names_a_route_of_the_app(make_client: ClientFactory) -> None:
    from fastapi import FastAPI, routing

    app = make_client().app
    assert isinstance(app, FastAPI)
    names = {route.name for route in routing.iter_route_contexts(app.routes)}
    assert [i.route for i in menu.ITEMS if i.route not in names] == []
    assert [r for homes in menu.HOMES.values() for r in homes if r not in names] == []


def test_a_page_the_role_may_not_open_is_a_framed_french_403(make_client: ClientFactory) -> None:
    page = make_client(role="facturation").get("/ui/worklist", headers=HTML)
    assert page.status_code == 403
    assert '<html lang="fr">' in page.text
    assert "Erreur 403" in page.text
    assert "Votre rôle ne permet pas" in page.text
    assert 'href="/ui/billing"' in page.text  # the menu is there: not a dead end
    assert "your role may not do this" not in page.text


def test_the_error_page_follows_the_language_switch(make_client: ClientFactory) -> None:
    client = make_client(role="facturation")
    client.cookies.set("tsv_lang", "en")
    page = client.get("/ui/worklist", headers=HTML)
    assert page.status_code == 403
    assert '<html lang="en">' in page.text
    assert "Your role may not open this page" in page.text


def test_a_missing_patient_is_a_framed_404(make_client: ClientFactory) -> None:
    page = make_client(role="medecin").get("/ui/patients/999999", headers=HTML)
    assert page.status_code == 404
    assert "Erreur 404" in page.text
    assert 'href="/ui/worklist"' in page.text


def test_an_api_caller_keeps_its_json_refusal(make_client: ClientFactory) -> None:
    answer = make_client(role="facturation").get("/ui/worklist")
    assert answer.status_code == 403
    assert answer.json() == {"detail": "your role may not do this"}


def test_a_failure_shows_its_reference_not_its_trace(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telesurveillance.web.dashboard import pages

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(pages.worklist, "build", broken)
    page = make_client(role="medecin").get("/ui/worklist", headers=HTML)
    assert page.status_code == 500
    assert "Erreur 500" in page.text
    assert "Référence : " in page.text
    assert "secret detail" not in page.text
