"""The first visit to the embedded demo, as a newcomer makes it, at a phone's and a laptop's width.

The demo is loaded as `make run` loads it (`demo_load`, annotators included). The newcomer sees lights of
every colour, opens a category whose daily chart draws its thresholds, analyses a text with both tasks,
reads the model page, and signs in to find a campaign with settled posts, a review queue and agreement
figures. No page scrolls sideways at either width.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import ViewportSize, expect

from labeling.models import Campaign
from labeling.selectors.review import items_disputed
from pipeline.services.demo import demo_load
from tests.e2e.conftest import PHONE, context_open, site_open

pytestmark = pytest.mark.browser
PASSWORD = "clave-de-prueba-9471"
DEMO_NOTE = "Modelo de demostración"
LAPTOP = ViewportSize(width=1366, height=768)
TEXT = "Las mujeres no deberían votar, que se queden en la cocina"


@pytest.fixture
def demo(dictionary, archive_dir, transactional_db):
    loaded = demo_load(annotators=True)
    get_user_model().objects.create_superuser(username="admin", email="admin@example.org", password=PASSWORD)
    return loaded


def no_sideways_scroll(site, path: str) -> None:
    overflow = site.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls {overflow}px sideways at {site.page.viewport_size}"


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_newcomer_s_first_visit_shows_the_product_at_its_best(browser, live_server, tmp_path, demo, width):
    viewport = PHONE if width == "phone" else LAPTOP
    context = context_open(browser, viewport=viewport, is_mobile=width == "phone")
    site = site_open(context.new_page(), live_server, tmp_path)
    page = site.page
    campaign = Campaign.objects.get()
    try:
        # The home page: red, yellow and green lights, none grey; the demo model says what it is.
        site.visit("/", screenshot=f"first-visit-home-{width}")
        levels = page.locator("section.lights [data-level]").evaluate_all("nodes => nodes.map(n => n.dataset.level)")
        assert {"red", "yellow", "green"} <= set(levels) and "grey" not in levels, levels
        expect(page.get_by_test_id("demo-note").first).to_contain_text(DEMO_NOTE)
        no_sideways_scroll(site, "/")

        # A rising category: its daily chart draws the yellow and red thresholds.
        red = page.locator("section.lights [data-level='red'] h3 a").first
        with page.expect_navigation():
            red.click()
        site.settle(screenshot=f"first-visit-category-{width}")
        thresholds = page.evaluate(
            "Chart.getChart('trend-day').data.datasets.slice(1).map(d => d.data.filter(v => v !== null).length)"
        )
        assert len(thresholds) == 2 and min(thresholds) >= 7, thresholds
        no_sideways_scroll(site, page.url)

        # The analysis page answers the discrimination task and the movie task side by side.
        site.visit("/analizar/")
        page.locator("#texto").fill(TEXT)
        with page.expect_navigation():
            page.get_by_role("button", name="Analizar").click()
        site.settle(screenshot=f"first-visit-analyze-{width}")
        expect(page.get_by_test_id("analysis")).to_contain_text(DEMO_NOTE)
        expect(page.get_by_test_id("movie-genres")).to_be_visible()
        expect(page.get_by_test_id("toxicity")).to_be_visible()
        no_sideways_scroll(site, "/analizar/")

        # The model page: the active demo model, named as such, with its figures in tables.
        site.visit("/clasificador/", screenshot=f"first-visit-model-{width}")
        expect(page.get_by_test_id("demo-note").first).to_contain_text(DEMO_NOTE)
        assert page.locator("table").count() >= 1
        assert "llegarán pronto" not in page.content()
        no_sideways_scroll(site, "/clasificador/")

        # Signed in: the demo campaign has settled posts, a review queue and agreement figures.
        site.log_in(username="admin", password=PASSWORD, next_path="/etiquetado/")
        site.settle(screenshot=f"first-visit-labeling-{width}")
        expect(page.get_by_text(campaign.name).first).to_be_visible()
        no_sideways_scroll(site, "/etiquetado/")
        site.visit("/etiquetado/revision/", screenshot=f"first-visit-review-{width}")
        expect(page.locator(f"a[href='/etiquetado/revision/{items_disputed().first().pk}/']").first).to_be_visible()
        no_sideways_scroll(site, "/etiquetado/revision/")
        site.visit(f"/etiquetado/campanas/{campaign.pk}/metricas/", screenshot=f"first-visit-report-{width}")
        agreement = page.get_by_test_id("agreement")
        expect(agreement).to_be_visible()
        assert any(char.isdigit() for char in agreement.inner_text())
        expect(page.get_by_test_id("annotators")).to_contain_text("anotadora1")
        no_sideways_scroll(site, "/etiquetado/metricas/")
    finally:
        context.close()
