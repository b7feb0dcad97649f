"""The public bulletins in Chromium: the list (empty, then with a bulletin) and a bulletin's page, whose charts load,
on a phone and on a laptop, without sideways scroll."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from alerts.models import Bulletin
from alerts.selectors.bulletins import month_bounds
from alerts.services.bulletins import bulletin_create
from classifier.models import ModelVersion
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory, ModelVersionFactory

pytestmark = pytest.mark.browser
MEXICO = ZoneInfo("America/Mexico_City")
START, END = month_bounds(year=2026, month=11)


@pytest.fixture
def bulletin(transactional_db, archive_dir) -> Bulletin:
    """November 2026's bulletin over five weeks of posts in a category with a long name, a red close."""
    version = ModelVersionFactory.create(task="discrimination", version=2, status=ModelVersion.Status.ACTIVE,
                                         metrics={"labels": {"discriminatory": {"f1": 0.7, "precision": 0.7}}})
    category = CategoryFactory.create(slug="caracteristicas-fisicas", name="Características físicas y apariencia")
    day = datetime(2026, 10, 1, 12, tzinfo=MEXICO)
    while day < END:
        posts = posts_create(40, at=day, categories=[category], state="NLE", hashtags=["unhashtagbastantelargoparaunmovil"],
                             terms=[("gordo", [category.slug])])
        score(posts, version=version, discriminatory=18 if day.day >= 29 and day.month == 11 else 4 + day.day % 3)
        day += timedelta(days=1)
    return bulletin_create(start=START, end=END, kind=Bulletin.Kind.MONTHLY, now=END)


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide in a {widths[1]} px window"


def test_the_empty_list_says_so(site, transactional_db):
    site.visit("/boletines/", screenshot="bulletins-empty")
    expect(site.page.get_by_test_id("no-bulletins")).to_contain_text("Todavía no hay boletines")
    no_sideways_scroll(site.page)


@pytest.mark.parametrize("where", ["site", "phone_site"])
def test_the_list_and_a_bulletin_fit_the_screen(request, where, bulletin):
    site = request.getfixturevalue(where)
    page = site.page
    site.visit("/boletines/", screenshot=f"bulletins-{where}")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_test_id("bulletins").get_by_role("link", name="Boletín de noviembre de 2026", exact=True).click()
    site.settle()
    assert page.url.endswith("/boletines/2026-11/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Boletín de noviembre de 2026")
    expect(page.get_by_test_id("posts")).to_have_text(f"{bulletin.summary['series'][0]['posts']:,}")
    lights = page.get_by_test_id("lights")
    expect(lights.locator('tr[data-slug="caracteristicas-fisicas"]')).to_contain_text("Rojo")
    loaded = page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
    assert loaded and all(loaded), "a chart did not load"
    assert page.evaluate("[...document.images].every(i => i.getBoundingClientRect().right <= window.innerWidth)")
    site.screenshot(f"bulletin-{where}")
    no_sideways_scroll(page)
