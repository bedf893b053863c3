"""The patient's own page in a real browser (Debian's Chromium through Playwright), on a phone.

A physician of the demo creates an access link from a patient's record; on a 390 px wide
screen the patient opens the link, enters a weight and a blood pressure, sees them in their
entries and on their curves, and no page scrolls sideways (390 and 768 px). The screenshot
`docs/screenshots/patient-space.png` is refreshed with TELESURVEILLANCE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.e2e.test_dashboard_browser import ARGS, CHROMIUM, PASSWORD, _shot, server

pytestmark = pytest.mark.browser
__all__ = ["server"]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}


def _no_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, (page.url, width, inner)


def _link_for_a_patient(browser: Any, server: str) -> str:
    """A physician opens the first heart-failure patient of the worklist and creates a 7-day
    link."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    worklist = "/ui/worklist?indication=insuffisance_cardiaque"
    page.goto(f"{server}/login?next={urllib.parse.quote(worklist)}")
    page.fill("#username", "medecin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/ui/worklist?indication=insuffisance_cardiaque")
    page.locator("main tbody a[href^='/ui/patients/']").first.click()
    page.locator("a[href$='/espace-patient']").click()
    expect(page.locator("h1")).to_contain_text("Espace patient")
    page.locator("button", has_text="Créer un lien d'accès").click()
    expect(page.locator(".qr-box svg")).to_be_visible()
    url = page.locator(".link-url code").inner_text().strip()
    _shot(page, "20-patient-space-link")
    page.close()
    return url


def test_a_patient_opens_the_link_enters_readings_and_sees_them_on_a_phone(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        url = _link_for_a_patient(browser, server)
        assert url.startswith(f"{server}/acces#")

        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        expect(page.locator("h1")).to_contain_text("Accès à votre suivi")
        _no_overflow(page)
        assert page.evaluate("window.location.hash") == ""  # dropped from the address bar
        page.locator("button", has_text="Ouvrir mon espace").click()
        page.wait_for_url("**/moi")
        expect(page.locator("h1")).to_contain_text("Bonjour")
        _no_overflow(page)

        page.fill("#weight-weight", "72,4")
        page.locator("#h-weight ~ form button[type=submit]").click()
        page.wait_for_url("**/moi?done=weight*")
        expect(page.locator(".flash.ok")).to_contain_text("Votre poids est enregistré")

        page.fill("#pressure-systolic", "131")
        page.fill("#pressure-diastolic", "82")
        page.fill("#pressure-pulse", "68")
        page.locator("#h-pressure ~ form button[type=submit]").click()
        page.wait_for_url("**/moi?done=pressure*")
        questionnaire = page.locator("#h-questionnaire ~ form")
        for box in questionnaire.locator("fieldset").all():
            box.locator("input[value=non]").check()
        questionnaire.locator("fieldset").first.locator("input[value=oui]").check()
        questionnaire.locator("button[type=submit]").click()
        page.wait_for_url("**/moi?done=questionnaire*")
        recent = page.locator("#h-entries ~ ul.entries")
        expect(recent).to_contain_text("72,4 kg")
        expect(recent).to_contain_text("131 mmHg")
        expect(recent).to_contain_text("82 mmHg")
        expect(recent).to_contain_text("Score total du questionnaire de symptômes 1")

        page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
        titles = page.locator("#charts figure.chart h3").all_inner_texts()
        assert any(t.startswith("Poids") for t in titles), titles
        assert any("systolique" in t for t in titles), titles
        curves = page.request.get(f"{server}/moi/courbes?days=30").json()["series"]
        last = {s["kind"]: [v for v in s["y"] if v is not None][-1] for s in curves}
        assert last["poids"] == 72.4
        assert last["pression_systolique"] == 131
        assert last["pression_diastolique"] == 82

        # a refusal is shown next to its field, what was typed is kept
        page.fill("#weight-weight", "4000")
        page.locator("#h-weight ~ form button[type=submit]").click()
        expect(page.locator("#err-weight")).to_contain_text("n'est pas plausible")
        expect(page.locator("#weight-weight")).to_have_value("4000")
        _no_overflow(page)

        page.goto(f"{server}/moi")
        page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
        _no_overflow(page)
        shot = _shot(page, "21-patient-space-phone")
        # the patient reaches no care-team page
        assert page.goto(f"{server}/ui/worklist").status == 403  # type: ignore[union-attr]

        page.set_viewport_size(TABLET)
        page.goto(f"{server}/moi")
        page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
        _no_overflow(page)
        _shot(page, "22-patient-space-tablet")
        browser.close()
    assert errors == []
    if os.environ.get("TELESURVEILLANCE_SCREENSHOTS") == "1":
        docs = ROOT / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, docs / "patient-space.png")
