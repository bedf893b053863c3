"""The worklist's pager in a real browser (Debian's Chromium, headless, through Playwright), on
a phone (390 px) and a tablet (768 px), in French and in English, for each role that sees the
worklist: page 2 of the at-risk section opens on its 51st patient, the previous and next links
lead where they say, nothing overflows sideways and every pager link is a tap target of at
least 44 × 44 CSS pixels (WCAG 2.1, success criterion 2.5.5).

The store is a small demo with sixty more heart-failure inclusions written straight into it
(no readings: each is out of reach on day 21 of its period), so the section holds more than a
page whatever the demo drew.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from telesurveillance.adapters.sql import database
from telesurveillance.adapters.sql.core import tables
from telesurveillance.domain import calendar
from telesurveillance.domain.access import matrix, roles
from telesurveillance.services.dashboard import worklist
from tests.e2e import served
from tests.e2e import test_dashboard_browser as house

pytestmark = pytest.mark.browser

#: Inclusions added to the demo: more than a page of the at-risk section on their own.
ADDED = 60
#: The smallest tap target a pager link may have, in CSS pixels (WCAG 2.1, 2.5.5).
TAP = 44
WORDS = {
    "fr": (
        "Page {page} sur {pages} · patients {first} à {last}",
        "Page suivante",
        "Page précédente",
    ),
    "en": ("Page {page} of {pages} · patients {first} to {last}", "Next page", "Previous page"),
}


def _roles() -> list[str]:
    """The care-team roles the permission table lets read the worklist."""
    found = []
    for role in (roles.Role.MEDECIN, roles.Role.SOIGNANT):
        who = roles.Principal(roles.Kind.ACCOUNT, 1, "t", role)
        if matrix.packaged().decide("dashboard.worklist", who) is matrix.Decision.ALLOW:
            found.append(role.value)
    return found


def _add_inclusions(url: str, count: int) -> None:
    """`count` synthetic heart-failure patients included 20 days ago, without any reading."""
    today = calendar.paris_day(dt.datetime.now(dt.UTC))
    engine = database.create(url)
    try:
        with database.writing(engine) as conn:
            pec = tables.prises_en_charge.c
            operateur, dmn = conn.execute(sa.select(pec.operateur_id, pec.dmn_id).limit(1)).one()
            for i in range(count):
                patient = conn.execute(
                    sa.insert(tables.patients).returning(tables.patients.c.id),
                    {
                        "family": f"Pager{i:03d}",
                        "given": "Jeanne",
                        "birth_date": dt.date(1950, 3, 2),
                        "operateur_id": operateur,
                        "synthetic": True,
                        "coverage": "ald",
                    },
                ).scalar_one()
                conn.execute(
                    sa.insert(tables.prises_en_charge),
                    {
                        "patient_id": patient,
                        "operateur_id": operateur,
                        "indication": "insuffisance_cardiaque",
                        "dmn_id": dmn,
                        "starts_on": today - dt.timedelta(days=20),
                    },
                )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(house.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps)")
    env = served.demo_env(tmp_path_factory.mktemp("pager"), patients=6, seed=5)
    _add_inclusions(env["TELESURVEILLANCE_DATABASE_URL"], ADDED)
    with served.serving(env) as url:
        yield url


def _small_links(page: object) -> list[str]:
    """The pager links smaller than a tap target: their text and size."""
    boxes = page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('nav.pager a')].map(a => {"
        " const r = a.getBoundingClientRect();"
        " return [a.textContent.trim(), r.width, r.height]; })"
    )
    return [f"{text!r} {w:.0f}×{h:.0f}" for text, w, h in boxes if w < TAP or h < TAP]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_page_2_of_the_at_risk_section_opens_and_its_links_lead_back_and_forth(
    server: str, lang: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    wording, next_word, previous_word = WORDS[lang]
    problems: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=house.CHROMIUM, args=house.ARGS, headless=True)
        for user in _roles():
            context = browser.new_context(viewport={"width": 390, "height": 844})
            host = server.split("//", 1)[1].split(":", 1)[0]
            context.add_cookies([{"name": "tsv_lang", "value": lang, "domain": host, "path": "/"}])
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            house._log_in(page, server, user, "/ui/worklist")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            total = int(page.locator("[data-count=at_risk]").inner_text())
            assert total > worklist.LIMIT
            pages = math.ceil(total / worklist.LIMIT)
            last = min(2 * worklist.LIMIT, total)
            for width, height in ((390, 844), (768, 1024)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{server}/ui/worklist?status=at_risk&page=2")
                second = wording.format(page=2, pages=pages, first=worklist.LIMIT + 1, last=last)
                expect(page.locator("nav.pager")).to_contain_text(second)
                rows = page.locator("main tbody tr")
                expect(rows).to_have_count(last - worklist.LIMIT)
                if page.evaluate("document.documentElement.scrollWidth > innerWidth"):
                    problems.append(f"{user}, {lang}: page 2 overflows at {width} px")
                problems += [f"{user}, {lang}, {width} px: {s}" for s in _small_links(page)]
                house._shot(page, f"14-pager-{user}-{lang}-{width}")

                page.locator("nav.pager a[rel=prev]").click()
                page.wait_for_url(lambda url: "page=" not in url)
                first = wording.format(page=1, pages=pages, first=1, last=worklist.LIMIT)
                expect(page.locator("nav.pager")).to_contain_text(first)
                expect(page.locator("nav.pager a[rel=prev]")).to_have_count(0)
                expect(page.locator("nav.pager a[rel=next]")).to_contain_text(next_word)
                if page.evaluate("document.documentElement.scrollWidth > innerWidth"):
                    problems.append(f"{user}, {lang}: page 1 overflows at {width} px")
                problems += [f"{user}, {lang}, {width} px: {s}" for s in _small_links(page)]

                page.locator("nav.pager a[rel=next]").click()
                page.wait_for_url(re.compile(r"page=2"))
                expect(page.locator("nav.pager")).to_contain_text(second)
                expect(page.locator("nav.pager a[rel=prev]")).to_contain_text(previous_word)
                expect(page.locator("nav.pager a[rel=next]")).to_have_count(1 if pages > 2 else 0)
            context.close()
        browser.close()
    assert errors == []
    assert problems == []
