"""The model page in Chromium with the embedded demo's models: on a 390 px phone and a 1366 px laptop the page never
scrolls sideways (the wide tables scroll inside their own box, their first column kept in view), and every demo
model says it is one."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from classifier.services.demo import movie_demo_model_ensure
from classifier.services.training import demo_model_ensure
from tests.e2e.conftest import context_open, site_open

pytestmark = pytest.mark.browser

WIDTHS = {390: {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}, 1366: {}}
DEMO_NOTE = "Modelo de demostración, aprendido de publicaciones sintéticas"


@pytest.fixture
def demo_models(dictionary, archive_dir):
    demo_model_ensure()
    movie_demo_model_ensure()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_model_page_fits_a_phone_and_a_laptop(browser: Browser, live_server, tmp_path, demo_models):
    for width, options in WIDTHS.items():
        context = context_open(browser, viewport={"width": width, "height": 900}, **options)
        site = site_open(context.new_page(), live_server, tmp_path)
        page = site.page
        site.visit("/clasificador/", screenshot=f"model-page-{width}")
        for task in ("discrimination", "toxicity"):
            expect(page.get_by_test_id(f"active-{task}").get_by_role("note")).to_contain_text(DEMO_NOTE)
        expect(page.get_by_test_id("active-movie-genres").get_by_role("note")).to_contain_text("sinopsis sintéticas")
        figures = page.get_by_test_id("active-discrimination").get_by_test_id("label-figures")
        expect(figures.locator("tbody tr")).to_have_count(8)  # discriminatory and the 7 categories
        expect(page.get_by_test_id("versions-discrimination").locator("tr.is-active")).to_have_count(1)
        assert no_sideways_scroll(page), f"/clasificador/ scrolls sideways at {width} px"

        box = figures.locator("xpath=..")  # the table's own scrolling box
        if width < 760:
            assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the figures are there, a swipe away
            box.evaluate("e => { e.scrollLeft = e.scrollWidth }")
            label = figures.locator("tbody th").first
            assert label.evaluate("e => e.getBoundingClientRect().left") >= box.evaluate("e => e.getBoundingClientRect().left") - 1
            site.screenshot(f"model-page-{width}-scrolled")
        else:
            assert box.evaluate("e => e.scrollWidth <= e.clientWidth")  # a laptop shows every column at once

        site.visit("/clasificador/discrimination/v1/", screenshot=f"model-version-{width}")
        expect(page.get_by_test_id("corpus-figures")).to_be_visible()
        expect(page.get_by_role("note").first).to_contain_text(DEMO_NOTE)
        assert no_sideways_scroll(page), f"the version page scrolls sideways at {width} px"
        context.close()
