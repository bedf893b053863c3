"""The dashboard in a real browser (Debian's Chromium, headless, through Playwright).

A fresh demo database is built (`telesurveillance demo --no-serve`), served by uvicorn, and a user
logs in, opens the worklist and a patient with an alert, acknowledges and closes it, reads a
billing verdict with its citation, switches to English; a screenshot of each page is saved under
`test-artifacts/e2e/` (and, with TELESURVEILLANCE_SCREENSHOTS=1, the README's two screenshots
under `docs/screenshots/`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from telesurveillance.domain.access import matrix, roles
from tests.conftest import ROOT
from tests.e2e import served

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PASSWORD = "Demo-Synthetique-2026!"


def _user() -> str:
    """The physician if the permission table opens the dashboard to it, else the administrator
    (who may read every page but not decide on alerts)."""
    who = roles.Principal(roles.Kind.ACCOUNT, 1, "t", roles.Role.MEDECIN)
    opened = matrix.packaged().decide("dashboard.alert_action", who) is matrix.Decision.ALLOW
    return "medecin" if opened else "admin"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps)")
    env = served.demo_env(tmp_path_factory.mktemp("e2e"), patients=42, seed=3)
    with served.serving(env) as url:
        yield url


def _shot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def test_a_care_team_member_works_through_the_dashboard(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    user = _user()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(f"{server}/login?next=/ui/worklist")
        page.fill("#username", user)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/ui/worklist")
        expect(page.locator("h1")).to_contain_text("Patients à traiter")
        expect(page.locator(".synthetic-banner")).to_be_visible()
        worklist = _shot(page, "01-worklist")

        page.locator("#h-alerts ~ div tbody a").first.click()
        page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
        expect(page.locator(".gauge-text").first).to_contain_text("jours sur")
        patient = _shot(page, "02-patient")

        if user == "medecin":
            page.locator("button[value=acknowledge]").first.click()
            expect(page.locator(".flash.ok")).to_contain_text("Alerte mise à jour")
            page.locator("details.closing summary").first.click()
            page.locator("select[name=decision]").first.select_option("patient_called")
            page.locator("button[value=close]").first.click()
            expect(page.locator(".flash.ok")).to_contain_text("Alerte mise à jour")
            expect(page.locator("#h-alerts ~ div")).to_contain_text("Patient appelé")
            _shot(page, "03-alert-closed")

        # The demo is built for today's date: the patient with the first alert may be in its
        # first period still. Read a verdict on the first worklist patient that has one.
        if page.locator("#h-verdicts ~ div details.reason").count() == 0:
            page.goto(f"{server}/ui/worklist")
            links = page.locator("main tbody a[href^='/ui/patients/']")
            hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
            for href in hrefs:
                page.goto(f"{server}{href}")
                if page.locator("#h-verdicts ~ div details.reason").count() > 0:
                    break
        reason = page.locator("#h-verdicts ~ div details.reason").first
        reason.locator("summary").click()
        expect(reason.locator(".cites li").first).to_be_visible()
        _shot(page, "04-verdict-cited")

        page.click("a.lang")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#h-verdicts")).to_contain_text("Billing per period")
        _shot(page, "05-patient-english")

        for path, name in (
            ("/ui/alerts", "06-alerts"),
            ("/ui/billing", "07-billing"),
            ("/ui/regulation", "08-regulation"),
        ):
            page.goto(f"{server}{path}")
            expect(page.locator("h1")).to_be_visible()
            _shot(page, name)

        page.set_viewport_size({"width": 820, "height": 1180})  # tablet, portrait
        page.goto(f"{server}/ui/worklist")
        _shot(page, "09-worklist-tablet")
        browser.close()
    assert errors == []
    if os.environ.get("TELESURVEILLANCE_SCREENSHOTS") == "1":
        docs = ROOT / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(worklist, docs / "worklist.png")
        shutil.copyfile(patient, docs / "patient.png")


def _log_in(page: object, server: str, user: str, target: str) -> None:
    page.goto(f"{server}/login?next={target}")  # type: ignore[attr-defined]
    page.fill("#username", user)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"**{target}")  # type: ignore[attr-defined]


def test_a_physician_triages_with_a_decision_a_comment_an_assignment_and_a_bulk_acknowledgement(
    server: str,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    if _user() != "medecin":
        pytest.skip("the permission table does not open the alerts to the physician")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _log_in(page, server, "medecin", "/ui/alerts")
        first = page.locator("table.queue tbody tr").first
        patient_link = first.locator("a[href^='/ui/patients/']").get_attribute("href")
        first.locator("details.closing summary").click()
        decision = first.locator("select[name=decision]")
        expect(decision).to_be_visible()
        first.locator("textarea[name=note]").fill("Rappel prévu demain matin")
        first.locator("button[value=close]").click()
        # the browser refuses a closure without its decision: nothing was posted
        assert decision.evaluate("e => e.validity.valueMissing") is True
        expect(page.locator(".flash")).to_have_count(0)
        decision.select_option("patient_called")
        first.locator("button[value=close]").click()
        expect(page.locator(".flash.ok")).to_contain_text("Alerte mise à jour")
        _shot(page, "10-triage-closed")
        page.goto(f"{server}{patient_link}")
        history = page.locator("#h-alerts ~ div .history").filter(has_text="Patient appelé")
        expect(history.first).to_contain_text("Rappel prévu demain matin")
        expect(history.first).to_contain_text("Dr Claire Démo")

        page.goto(f"{server}/ui/alerts")
        row = page.locator("table.queue tbody tr").first
        row.locator("select[name=assignee]").select_option(label="Dr Claire Démo (médecin)")
        row.locator("form.assign button").click()
        expect(page.locator(".flash.ok")).to_contain_text("Alerte assignée")
        page.goto(f"{server}/ui/alerts?assignee=me")
        expect(page.locator("table.queue tbody tr")).to_have_count(1)

        page.goto(f"{server}/ui/alerts")
        boxes = page.locator("input[name=ids]")
        ticked = min(2, boxes.count())
        for i in range(ticked):
            boxes.nth(i).check()
        page.locator("#bulk button").click()
        expect(page.locator(".flash")).to_contain_text(f"{ticked} alerte")
        expect(page.locator("table.queue")).to_contain_text("Prise en compte le")
        _shot(page, "11-triage-bulk")

        page.goto(f"{server}/ui/alerts?severity=high")
        severities = page.locator("table.queue tbody .sev")
        for i in range(severities.count()):
            expect(severities.nth(i)).to_have_class("sev sev-high")
        browser.close()
    assert errors == []


@pytest.mark.parametrize("user", ["medecin", "soignant"])
def test_no_page_overflows_on_a_phone_or_a_tablet(server: str, user: str) -> None:
    from playwright.sync_api import sync_playwright

    if _user() != "medecin":
        pytest.skip("the permission table does not open the dashboard to the care team")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{server}/login")
        wide = page.evaluate("document.documentElement.scrollWidth > innerWidth")
        assert wide is False, "the log-in page overflows at 390 px"
        _log_in(page, server, user, "/ui/worklist")
        patient = page.locator("main tbody a[href^='/ui/patients/']").first.get_attribute("href")
        overflowing = []
        for width, height in ((390, 844), (768, 1024)):
            page.set_viewport_size({"width": width, "height": height})
            for path in ("/ui/worklist", "/ui/alerts", patient):
                page.goto(f"{server}{path}")
                if path == patient:
                    page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
                if page.evaluate("document.documentElement.scrollWidth > innerWidth"):
                    overflowing.append(f"{path} at {width} px")
                header = page.evaluate("document.querySelector('header.top').offsetHeight")
                if width == 390 and header > 160:
                    overflowing.append(f"header of {header} px on {path}")
            _shot(page, f"12-{user}-alerts-{width}")
        browser.close()
    assert overflowing == []


def test_the_log_in_page_is_styled_and_bilingual(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{server}/login")
        expect(page.locator("h1")).to_have_text("Connexion")
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('header.top')).backgroundColor"
        )
        assert colour == "rgb(11, 79, 138)"
        page.fill("#username", "medecin")
        page.fill("#password", "pas le bon")
        page.click("button[type=submit]")
        expect(page.locator(".flash.warn")).to_have_text("Identifiant ou mot de passe incorrect.")
        _shot(page, "13-login")
        page.click("a.lang")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text("Log in")
        expect(page.locator("label[for=password]")).to_have_text("Password")
        browser.close()
