"""Thresholds and follow-up tasks in the browser, over the demo (issue 15 points 4 and 5): the
physician marks a task done from the team list, opens a patient's thresholds from its page, is
refused an implausible value next to the field (what was typed kept), saves a plausible one,
sees it in the history and resets it; each page fits 390 and 768 px without horizontal
scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import served
from tests.e2e import walkthrough_setup as steps

pytestmark = pytest.mark.browser
PASSWORD = "Demo-Synthetique-2026!"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(steps.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps)")
    env = served.demo_env(tmp_path_factory.mktemp("followup"), patients=12, seed=5)
    with served.serving(env) as url:
        yield url


def test_a_physician_follows_tasks_and_tunes_a_threshold(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=steps.CHROMIUM, args=steps.ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        steps.log_in(page, server, "medecin", PASSWORD)

        page.click("nav >> text=Tâches de suivi")
        page.wait_for_url("**/ui/tasks")
        expect(page.locator("h1")).to_have_text("Tâches de suivi de l'équipe")
        first = page.locator(".tasks-list li").first
        title = first.locator("strong").inner_text()
        first.locator("button").focus()
        page.keyboard.press("Enter")  # keyboard-usable
        page.wait_for_url("**/ui/tasks?done=marked*")
        expect(page.locator(".flash.ok")).to_have_text("Tâche marquée comme faite.")
        page.select_option("#tasks-show", "all")
        page.click(".tasks-filters button")
        done = page.locator(".tasks-list li.done").filter(has_text=title).first
        expect(done).to_contain_text("Faite par")
        steps.shot(page, "followup-01-tasks")

        patient = page.locator(".tasks-list li a").first.get_attribute("href")
        page.goto(f"{server}{patient}")
        expect(page.locator("#h-tasks")).to_be_visible()
        page.click(f"a[href='{patient}/thresholds']")
        page.wait_for_url("**/thresholds")
        expect(page.locator("h1")).to_contain_text("Seuils d'alerte")
        form = page.locator("form.form-grid").first
        form.locator("input[name=value]").fill("100000")
        form.locator("input[name=reason]").fill("Essai d'une valeur impossible")
        form.locator("button[value=set]").click()
        error = page.locator(".field-error").first
        expect(error).to_be_visible()
        expect(page.locator("input[aria-invalid=true]").first).to_have_value("100000")
        expect(page.locator("input[name=reason]").first).to_have_value(
            "Essai d'une valeur impossible"
        )
        steps.shot(page, "followup-02-threshold-refused")

        form = page.locator("form.form-grid").first
        in_force = page.locator(".number dd strong").first.inner_text().split(" ")[0]
        form.locator("input[name=value]").fill(in_force)  # the value in force, as shown
        form.locator("input[name=reason]").fill("Cible revue en consultation")
        form.locator("button[value=set]").click()
        page.wait_for_url("**/thresholds?done=saved*")
        expect(page.locator("#history")).to_contain_text("Cible revue en consultation")
        page.locator("form.form-grid").first.locator("input[name=reason]").fill("Retour")
        page.locator("form.form-grid button[value=reset]").first.click()
        page.wait_for_url("**/thresholds?done=reset*")
        expect(page.locator(".flash.ok")).to_contain_text("Valeur par défaut")
        steps.shot(page, "followup-03-thresholds")

        for width in steps.WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in ("/ui/tasks?show=all", f"{patient}/thresholds", str(patient)):
                page.goto(f"{server}{path}")
                assert steps.overflow(page) <= 0, f"{path} overflows at {width} px"
            steps.shot(page, f"followup-04-patient-{width}")
        browser.close()
    assert errors == []
