"""A new team sets itself up in the browser, from an empty database (issue 15, set-up part):
the administrateur lands on the set-up page, a wrong RPPS is refused next to its field, the
whole organisation is declared until nothing blocks billing, and a device token is created in
the administration page; every page fits 390 and 768 px without horizontal scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import walkthrough_setup as steps

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(steps.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps)")
    with steps.empty_platform(tmp_path_factory.mktemp("setup")) as url:
        yield url


def test_a_new_team_sets_itself_up_in_the_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    receipt = tmp_path / "recepisse-ars.pdf"
    receipt.write_bytes(steps.RECEIPT)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=steps.CHROMIUM, args=steps.ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        steps.log_in(page, server, steps.ADMIN, steps.ADMIN_PASSWORD)
        page.wait_for_url("**/ui/setup")
        expect(page.locator("h1")).to_have_text("Mise en place de l'équipe")
        expect(page.locator("#checklist")).to_contain_text("4 points bloquent encore")
        steps.shot(page, "setup-01-empty")

        steps.declare_operateur(page, "Centre hospitalier Exemple", "750803447")
        steps.declare_ars(page, "2024-01-10", receipt)
        wrong = {**steps.DOCTOR, "rpps": "10005173141"}
        steps.add_member(page, wrong)
        expect(page.locator("#err-members-rpps")).to_contain_text("La clé du RPPS")
        expect(page.locator("#members-family")).to_have_value("Martin")
        steps.shot(page, "setup-02-rpps-refused")

        steps.add_member(page, steps.DOCTOR)
        steps.add_member(page, steps.NURSE)
        steps.add_exploitant_and_dmn(
            page, "Télésuivi Exemple SAS", "CardioSuivi", "insuffisance_cardiaque"
        )
        steps.sign_convention(page, "Télésuivi Exemple SAS", "2024-01-01")
        steps.declare_protocol(page, "2024-01-01")
        expect(page.locator("#checklist")).to_contain_text("Rien ne bloque la facturation")
        expect(page.locator("#members")).to_contain_text("amartin")
        steps.shot(page, "setup-03-ready")

        secret = steps.create_device_token(page, server, 1, "Balance connectée")
        assert secret.startswith("tsv_")
        expect(page.locator("#token-created")).to_contain_text("ne sera plus affiché")
        steps.shot(page, "setup-04-device-token")
        page.goto(f"{server}/ui/admin/tokens")
        assert secret not in page.content()

        for width in steps.WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in ("/ui/setup", "/ui/admin/accounts", "/ui/admin/tokens", "/ui/admin/audit"):
                page.goto(f"{server}{path}")
                assert steps.overflow(page) <= 0, f"{path} overflows at {width} px"
            steps.shot(page, f"setup-05-audit-{width}")

        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{server}/ui/setup")
        page.click("a.lang")
        expect(page.locator("#h-checklist")).to_have_text("What still blocks the first billing")
        browser.close()
    assert errors == []
