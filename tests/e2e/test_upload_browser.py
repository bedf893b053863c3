"""Uploading a CGM export from the patient page in a real browser (Debian's Chromium through
Playwright), on a fresh demo, on a phone: the form is reached from the patient page, the file is
chosen and sent with the session's CSRF token, the report lists the counts and the refused lines
by number, and neither page overflows at 390 or 768 px."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e import test_dashboard_browser as browser_kit
from tests.e2e import test_diabetes_browser as diabetes_kit
from tests.e2e.test_diabetes_browser import demo  # noqa: F401 (the demo server fixture)

pytestmark = pytest.mark.browser

EXPORT = ROOT / "tests" / "fixtures" / "cgm" / "libreview_en_mgdl_month_first.csv"


def test_a_libreview_export_is_uploaded_from_the_patient_page_on_a_phone(
    demo: tuple[str, Path],  # noqa: F811
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, database = demo
    patient = diabetes_kit._cgm_patient(database)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_kit.CHROMIUM, args=browser_kit.ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        diabetes_kit._login(page, url)
        page.goto(f"{url}/ui/patients/{patient}")
        form = page.locator("#upload")
        expect(form.locator("h2")).to_contain_text("Importer un export de capteur")
        assert diabetes_kit._overflow(page) <= 0, "the patient page overflows at 390 px"

        # Sent without a file: the browser itself asks for one (the field is required).
        form.locator("#upload-export").set_input_files(str(EXPORT))
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"**/ui/patients/{patient}/uploads")
        report = page.locator("#upload-report")
        expect(report).to_contain_text("Compte rendu de l'import de « libreview_en_mgdl")
        expect(report.locator(".counts")).to_contain_text("lignes refusées")
        expect(report.locator("table.refused tbody tr")).to_have_count(2)
        expect(report.locator("table.refused tbody tr").first.locator("td").first).to_have_text("8")
        assert diabetes_kit._overflow(page) <= 0, "the upload report overflows at 390 px"
        page.screenshot(path=str(diabetes_kit._artifact("20-upload-phone")), full_page=True)

        # Sent again: every reading line is a duplicate, nothing new.
        form = page.locator("#upload")
        form.locator("#upload-export").set_input_files(str(EXPORT))
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("#upload-report .hint").first).to_contain_text(
            "0 nouvelle(s) mesure(s)"
        )

        page.set_viewport_size({"width": 768, "height": 1000})
        assert diabetes_kit._overflow(page) <= 0, "the upload report overflows at 768 px"
        page.locator("a", has_text="Retour à la fiche du patient").click()
        page.wait_for_url(f"**/ui/patients/{patient}")
        assert diabetes_kit._overflow(page) <= 0, "the patient page overflows at 768 px"
        browser.close()
    assert errors == []
