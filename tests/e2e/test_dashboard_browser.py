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
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from telesurveillance.domain.access import matrix, roles
from tests.conftest import ROOT

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    folder = tmp_path_factory.mktemp("e2e")
    env = dict(os.environ)
    env["TELESURVEILLANCE_DATABASE_URL"] = f"sqlite:///{folder / 'demo.sqlite3'}"
    env["TELESURVEILLANCE_DATA_DIR"] = str(folder)
    cli = [sys.executable, "-m", "telesurveillance"]
    subprocess.run(
        [*cli, "demo", "--no-serve", "--patients", "42", "--seed", "3"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "telesurveillance.web.dashboard.asgi:app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # A busy machine may take a while to start the server: wait up to a minute, and say so
        # if it never answers rather than failing later on a refused connection.
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/login", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the demo server did not start")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


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
