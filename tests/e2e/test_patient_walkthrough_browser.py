"""A new team follows its first patient entirely in the browser (issue 15, patient part): after
the set-up, a physician creates a patient, includes them through the wizard and downloads the
ordonnance; a device token created in the administration page posts readings through the FHIR
API; the patient shows on the worklist and their page has a billable period. The pages fit 390
and 768 px without horizontal scrolling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import walkthrough_patient as steps
from tests.e2e import walkthrough_setup as setup_steps

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(setup_steps.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps)")
    with setup_steps.empty_platform(tmp_path_factory.mktemp("patient")) as url:
        yield url


def test_a_new_team_follows_its_first_patient_in_the_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    receipt = tmp_path / "recepisse-ars.pdf"
    receipt.write_bytes(setup_steps.RECEIPT)
    # The served app runs on the real clock: monitoring starts 40 days ago, so the first
    # 30-day period is over when the readings arrive.
    today = dt.datetime.now(dt.UTC).date()
    starts_on = today - dt.timedelta(days=40)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=setup_steps.CHROMIUM, args=setup_steps.ARGS, headless=True
        )
        admin = browser.new_page(viewport={"width": 1280, "height": 900})
        team = setup_steps.set_up_team(admin, server, receipt)

        doctor = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = doctor.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        setup_steps.log_in(page, server, team.doctor, team.doctor_password)
        patient_id = steps.create_patient(page, server)
        expect(page.locator("#h-contact")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Dr Paul Lefèvre")

        steps.include(page, server, patient_id, starts_on)
        steps.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(steps.SCREENSHOTS / "walkthrough-inclusion.png"), full_page=True)
        steps.submit_inclusion(page, patient_id)
        expect(page.locator("main")).to_contain_text("Patient inclus")
        pdf = steps.download_ordonnance(page)
        assert pdf.startswith(b"%PDF")

        token = setup_steps.create_device_token(admin, server, patient_id, "Balance connectée")
        days = [starts_on + dt.timedelta(days=k) for k in range(40)]
        steps.post_weights(server, token, patient_id, days)

        page.goto(f"{server}/ui/worklist")
        expect(page.locator(f"a[href='/ui/patients/{patient_id}']").first).to_be_visible()
        page.goto(f"{server}/ui/patients/{patient_id}")
        expect(page.locator("table.verdicts tr.ok").first).to_be_visible()
        setup_steps.shot(page, "patient-01-billable")

        for width in setup_steps.WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in (
                "/ui/patients",
                "/ui/patients/new",
                f"/ui/patients/{patient_id}",
                f"/ui/patients/{patient_id}/edit",
                f"/ui/patients/{patient_id}/include?indication=insuffisance_cardiaque",
                "/ui/worklist",
            ):
                page.goto(f"{server}{path}")
                assert steps.overflow(page) <= 0, f"{path} overflows at {width} px"
        assert errors == []
        browser.close()
