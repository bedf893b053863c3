"""The diabetes view and the charts in a real browser (Debian's Chromium through Playwright), on
a fresh demo: a CGM patient's page shows the time in ranges, GMI, variability and the ambulatory
glucose profile, fits a phone (390 px) and a tablet (768 px) without horizontal scrolling, and
its charts speak French (dates dd/mm, legend words, units as written) and English.

With TELESURVEILLANCE_SCREENSHOTS=1 the README's `docs/screenshots/patient-diabetes.png` is
refreshed.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.e2e import served
from tests.e2e import test_dashboard_browser as browser_kit

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts" / "e2e"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not Path(browser_kit.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps)")
    folder = tmp_path_factory.mktemp("e2e-diabetes")
    env = served.demo_env(folder, patients=42, seed=3)
    with served.serving(env) as url:
        yield url, folder / "demo.sqlite3"


def _patient_with(database: Path, sql: str) -> int:
    with sqlite3.connect(database) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None, sql
    return int(row[0])


def _cgm_patient(database: Path) -> int:
    """The demo's diabetes patient who wears a sensor and sent the most readings."""
    return _patient_with(
        database,
        "SELECT r.patient_id FROM readings r JOIN prises_en_charge p"
        " ON p.patient_id = r.patient_id AND p.indication = 'diabete'"
        " WHERE r.kind = 9 GROUP BY r.patient_id ORDER BY count(*) DESC LIMIT 1",
    )


def _pressure_patient(database: Path) -> int:
    return _patient_with(
        database, "SELECT patient_id FROM readings WHERE kind = 2 GROUP BY patient_id LIMIT 1"
    )


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _login(page: Any, url: str) -> None:
    page.goto(f"{url}/login?next=/ui/worklist")
    page.fill("#username", browser_kit._user())
    page.fill("#password", browser_kit.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/ui/worklist")


def test_the_diabetes_view_reads_well_on_a_desktop_a_tablet_and_a_phone(
    demo: tuple[str, Path],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, database = demo
    patient = _cgm_patient(database)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_kit.CHROMIUM, args=browser_kit.ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _login(page, url)

        page.goto(f"{url}/ui/patients/{patient}")
        view = page.locator("#diabetes")
        expect(view.locator("h2")).to_contain_text("Glucose du capteur (CGM) — 14 derniers jours")
        expect(view.locator("table.targets")).to_contain_text("Temps dans la cible (70–180 mg/dL)")
        expect(view.locator(".cgm-figures")).to_contain_text("GMI")
        expect(view.locator(".cgm-figures")).to_contain_text("Coefficient de variation")
        expect(view.locator(".cgm-figures")).to_contain_text("Capteur actif")
        assert view.locator("svg path.agp-median").count() >= 1
        assert view.locator("svg path.agp-inner").count() >= 1
        assert view.locator("svg.tir-bar rect").count() >= 3
        page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
        shot = view.screenshot(path=str(_artifact("10-diabetes-view")))
        assert shot

        # The charts: the legend says "Date", a hovered point reads dd/mm/yyyy hh:mm, the unit
        # is written as people write it.
        chart = page.locator("#charts figure.chart").first
        expect(chart.locator("h3")).to_have_text("Glucose interstitiel (capteur CGM) (mg/dL)")
        expect(chart.locator(".u-legend th").first).to_contain_text("Date")
        chart.scroll_into_view_if_needed()
        box = chart.locator(".u-over").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
        moment = chart.locator(".u-legend tr").first.locator("td").first.inner_text()
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}( |, )\d{2}:\d{2}", moment), moment
        value = chart.locator(".u-legend tr").nth(1).locator("td").first.inner_text()
        assert value.endswith(" mg/dL"), value

        for width, name in ((768, "11-diabetes-tablet"), (390, "12-diabetes-phone")):
            page.set_viewport_size({"width": width, "height": 1000})
            page.goto(f"{url}/ui/patients/{patient}")
            page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
            expect(page.locator("#diabetes svg.tir-bar")).to_be_visible()
            assert _overflow(page) <= 0, f"the patient page overflows at {width} px"
            page.screenshot(path=str(_artifact(name)), full_page=True)

        page.set_viewport_size({"width": 1280, "height": 900})
        page.click("a.lang")
        expect(page.locator("#diabetes table.targets")).to_contain_text("Time in range")
        expect(page.locator("#diabetes")).to_contain_text("Ambulatory glucose profile (AGP)")
        page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
        expect(page.locator("#charts figure.chart h3").first).to_contain_text(
            "Interstitial glucose (CGM sensor)"
        )
        page.click("a.lang")  # back to French for the other tests
        browser.close()
    assert errors == []
    if os.environ.get("TELESURVEILLANCE_SCREENSHOTS") == "1":
        docs = ROOT / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_artifact("10-diabetes-view"), docs / "patient-diabetes.png")


def test_blood_pressure_charts_write_mmhg_and_fit_a_phone(demo: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, database = demo
    patient = _pressure_patient(database)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_kit.CHROMIUM, args=browser_kit.ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 390, "height": 900})
        _login(page, url)
        page.goto(f"{url}/ui/patients/{patient}")
        page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
        titles = page.locator("#charts figure.chart h3")
        expect(titles.filter(has_text="Pression artérielle systolique (mmHg)")).to_have_count(1)
        assert "mm[Hg]" not in page.locator("#charts").inner_text()
        assert "{score}" not in page.locator("#charts").inner_text()
        assert _overflow(page) <= 0, "the patient page overflows at 390 px"
        page.screenshot(path=str(_artifact("13-pressure-phone")), full_page=True)
        browser.close()


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def test_a_month_of_cgm_is_drawn_thinned_and_says_so_with_every_reading_counted(
    demo: tuple[str, Path],
) -> None:
    """As each care role that reads the patient page, in French and English, on a phone and a
    tablet: the thinned drawing is said under the chart, whole on screen, and the screen-reader
    summary counts every reading."""
    from playwright.sync_api import expect, sync_playwright

    url, database = demo
    patient = _cgm_patient(database)
    said = {"fr": "Courbe tracée avec le minimum et le maximum", "en": "Line drawn with the lowest"}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_kit.CHROMIUM, args=browser_kit.ARGS, headless=True
        )
        for user in ("medecin", "soignant"):
            for lang in ("fr", "en"):
                for width in (390, 768):
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    page = context.new_page()
                    page.goto(f"{url}/login?next=/ui/patients/{patient}")
                    page.fill("#username", user)
                    page.fill("#password", browser_kit.PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_url(f"**/ui/patients/{patient}")
                    if lang == "en":
                        page.click("a.lang")
                    page.wait_for_selector("#charts[data-ready=true]", timeout=15000)
                    data = page.evaluate(
                        "fetch(document.getElementById('charts').dataset.series)"
                        ".then(r => r.json())"
                    )
                    glucose = next(s for s in data["series"] if s["kind"] == "glucose_capteur")
                    assert glucose["readings"] > len([y for y in glucose["y"] if y is not None])
                    assert glucose["drawn"].startswith(said[lang]), (user, lang, glucose["drawn"])
                    note = page.locator("#charts figure.chart .chart-note", has_text=said[lang])
                    expect(note).to_have_text(glucose["drawn"])
                    box = note.bounding_box()
                    assert box is not None, (user, lang, width)
                    assert box["x"] >= 0, (user, lang, width)
                    assert box["x"] + box["width"] <= width, f"the note is cut at {width} px"
                    summary = note.locator("xpath=..").locator("p.sr").inner_text()
                    assert f"{glucose['readings']}" in summary, (user, lang, summary)
                    assert _overflow(page) <= 0, f"the patient page overflows at {width} px"
                    context.close()
        browser.close()
