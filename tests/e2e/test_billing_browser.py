"""The billing desk and the exploitant's workspace in a real browser (Debian's Chromium through
Playwright), on a fresh demo: facturation lands on its desk, marks a series sent then a line
paid, reads the deciding sentence; the exploitant lands on its workspace and runs the simulator;
neither page overflows a phone (390 px) or a tablet (768 px); both speak English too.

With TELESURVEILLANCE_SCREENSHOTS=1 the README's `docs/screenshots/billing-desk.png` and
`docs/screenshots/exploitant.png` are refreshed.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.e2e import test_dashboard_browser as browser_kit

pytestmark = pytest.mark.browser

#: The demo served by uvicorn (the dashboard test's fixture, built afresh for this module).
server = browser_kit.server


def _log_in(page: Any, url: str, user: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", user)
    page.fill("#password", browser_kit.PASSWORD)
    page.click("button[type=submit]")


def _fits(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} overflows {width} px by {overflow} px"


def _top(page: Any, name: str) -> None:
    """The first screenful (the README's picture: a full desk page is several megabytes)."""
    browser_kit.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(browser_kit.ARTIFACTS / f"{name}.png"))


def _screenshots(*names: tuple[str, str]) -> None:
    if os.environ.get("TELESURVEILLANCE_SCREENSHOTS") == "1":
        docs = ROOT / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        for artifact, target in names:
            shutil.copyfile(browser_kit.ARTIFACTS / f"{artifact}.png", docs / target)


def test_facturation_works_through_its_desk(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_kit.CHROMIUM, args=browser_kit.ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _log_in(page, server, "facturation")
        page.wait_for_url("**/ui/desk")
        expect(page.locator("h1")).to_contain_text("Bureau de facturation")
        expect(page.locator("#h-totals")).to_contain_text("Totaux de")
        expect(page.locator(".explained .decision").first).to_be_visible()
        expect(page.locator("nav")).to_contain_text("Bureau de facturation")
        browser_kit._shot(page, "20-billing-desk")
        _top(page, "20-billing-desk-top")

        # a series ready to send is marked sent: the page says so and the line shows who
        ready = page.locator("table.ready tbody tr")
        before = ready.count()
        assert before > 0
        ready.first.locator("button").click()
        expect(page.locator(".flash.ok")).to_contain_text("enregistrée")
        assert page.locator("table.ready tbody tr").count() == before - 1

        # the sent lines are found by the state filter, and one is marked paid with a note
        page.select_option("select[name=state]", "sent")
        page.click("form.filters button[type=submit]")
        sent = page.locator(".desk-rows input[type=checkbox]")
        expect(sent.first).to_be_visible()
        expect(page.locator(".desk-rows .state-sent").first).to_contain_text("envoyée")
        expect(page.locator(".desk-rows").first).to_contain_text("par Secrétariat de facturation")
        sent.first.check()
        page.select_option("#mark select[name=status]", "paid")
        page.fill("#mark input[name=note]", "virement CPAM 2026-11")
        page.click("#mark button[type=submit]")
        expect(page.locator(".flash.ok")).to_contain_text("1 ligne enregistrée")

        page.goto(f"{server}/ui/desk?state=paid")
        expect(page.locator(".desk-rows .state-paid").first).to_contain_text("payée")
        expect(page.locator(".desk-rows").first).to_contain_text("virement CPAM 2026-11")

        for width in (390, 768):
            _fits(page, width)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.click("a.lang")
        expect(page.locator("h1")).to_contain_text("Billing desk")
        page.click("a.lang")  # back to French
        browser.close()
    assert errors == []
    _screenshots(("20-billing-desk-top", "billing-desk.png"))


def test_the_exploitant_works_in_its_workspace(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_kit.CHROMIUM, args=browser_kit.ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _log_in(page, server, "exploitant")
        page.wait_for_url("**/ui/exploitant")
        expect(page.locator("h1")).to_contain_text("Espace exploitant")
        expect(page.locator("#h-transmission")).to_be_visible()
        expect(page.locator("table.transmission tbody tr").first).to_be_visible()
        expect(page.locator("#h-technique")).to_be_visible()
        expect(page.locator("#h-conventions ~ ul li").first).to_contain_text("signée le")
        assert "Bureau de facturation" not in page.locator("nav").inner_text()

        page.fill("input[name=simulate]", "120")
        page.click("#h-simulator ~ button")
        expect(page.locator("ul.simulations li").first).to_contain_text("par patient et par mois")
        expect(page.locator("ul.simulations li").first).to_contain_text("APPROXIMATIF")
        browser_kit._shot(page, "21-exploitant")
        page.evaluate("window.scrollTo(0, 0)")
        _top(page, "21-exploitant-top")

        page.fill("input[name=simulate]", "douze")
        page.click("#h-simulator ~ button")
        expect(page.locator("#simulate-error")).to_contain_text("nombre entier")
        expect(page.locator("input[name=simulate]")).to_have_value("douze")

        page.goto(f"{server}/ui/exploitant")
        for width in (390, 768):
            _fits(page, width)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.click("a.lang")
        expect(page.locator("h1")).to_contain_text("Exploitant workspace")
        page.click("a.lang")
        browser.close()
    assert errors == []
    _screenshots(("21-exploitant-top", "exploitant.png"))
