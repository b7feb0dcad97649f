"""The semáforo in Chromium, on posts seeded so that one category is red, one yellow, one green and one grey.

Each category has the same history (fourteen earlier 48-hour windows alternating
10% and 20% discriminatory: mean 15%, σ 5.2 points) and a different last 48
hours: 40% (red), 22% (yellow), 14% (green), and only 10 posts (grey).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from classifier.models import ModelVersion
from dashboard.selectors.semaforo import window_end
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory

pytestmark = pytest.mark.browser
PASSWORD = "clave-de-prueba-9471"
WINDOW = timedelta(hours=48)
LEVELS = {"roja": ("red", "Rojo"), "amarilla": ("yellow", "Amarillo"), "verde": ("green", "Verde"), "gris": ("grey", "Gris")}
NOW_DISCRIMINATORY = {"roja": 20, "amarilla": 11, "verde": 7}  # of 50


@pytest.fixture
def seeded(transactional_db):
    version = ModelVersion.objects.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE)
    end = window_end()
    for slug in LEVELS:
        category = CategoryFactory(slug=slug, name=slug.title())
        for k in range(1, 15):
            score(posts_create(50, at=end - k * WINDOW - timedelta(hours=24), categories=[category], state="JAL"),
                  version=version, discriminatory=5 if k % 2 else 10)
        # Three hours old, but never before local midnight: today's daily point holds them at any hour.
        at = max(end - timedelta(hours=3), timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0))
        if slug == "gris":
            score(posts_create(10, at=at, categories=[category], state="NLE"), version=version, discriminatory=5)
        else:
            tags = ["#Prueba"] if slug == "roja" else []
            score(posts_create(50, at=at, categories=[category], state="JAL", hashtags=tags,
                               terms=[("naco", ["roja"])] if slug == "roja" else []),
                  version=version, discriminatory=NOW_DISCRIMINATORY[slug])
    return version


def test_the_home_shows_each_level_with_its_word_and_shape(site, seeded):
    site.visit("/", screenshot="semaforo-home")
    page = site.page
    for slug, (level, word) in LEVELS.items():
        light = page.get_by_test_id(f"light-{slug}")
        expect(light).to_have_attribute("data-level", level)
        expect(light.locator(".level-word")).to_have_text(word)
        expect(light.locator("svg.level-icon")).to_have_count(1)
    expect(page.get_by_test_id("light-roja")).to_contain_text("Rojo: 2.7 veces la tasa habitual de las últimas 4 semanas.")
    expect(page.get_by_test_id("light-roja")).to_contain_text("40.0 %")
    expect(page.get_by_test_id("light-gris")).to_contain_text("hacen falta 30 para juzgar")
    expect(page.get_by_test_id("states-map").locator("g.tile")).to_have_count(32)
    expect(page.get_by_test_id("terminos")).to_contain_text("naco")
    expect(page.get_by_test_id("hashtags")).to_contain_text("#prueba")
    # Anonymous visitors see aggregates only: no link to the posts behind a number.
    expect(page.locator('a[href*="/publicaciones/"]')).to_have_count(0)


def test_a_category_page_draws_its_trends_with_thresholds_and_exports_them(site, seeded):
    site.visit("/categoria/roja/", screenshot="semaforo-category")
    page = site.page
    for chart in ("trend-day", "trend-hour"):
        expect(page.get_by_test_id(f"chart-{chart}").locator("canvas")).to_be_visible()
        datasets = chart_datasets(page, chart)
        assert [d["label"] for d in datasets] == ["Tasa de publicaciones discriminatorias (%)", "Umbral amarillo", "Umbral rojo"]
        # The axis starts at the first period with posts, not months (or days) of empty axis before it.
        assert datasets[0]["data"][0] is not None
        # A period without posts is a gap in the line: nothing joins the points across it.
        assert datasets[0]["data"].count(None) > 0 and not datasets[0]["spanGaps"]
    daily = chart_datasets(page, "trend-day")
    # The history's first posts are 29 or 30 local days old; the 90 days the chart covers start there.
    assert len(daily[0]["data"]) in (30, 31)
    # The thresholds are drawn: stepped lines with values where each day's history allows, yellow below red.
    for threshold in daily[1:]:
        assert threshold["stepped"] == "middle" and sum(v is not None for v in threshold["data"]) >= 10
    assert all(y < r for y, r in zip(daily[1]["data"], daily[2]["data"], strict=True) if y is not None)
    assert page.evaluate("Chart.getChart('trend-day').legend.legendItems.map(i => i.text)") == [d["label"] for d in daily]
    expect(page.get_by_test_id("no-thresholds")).to_have_count(0)
    # The last daily point is today's 40% (the red window's posts are from today), with its thresholds.
    assert daily[0]["data"][-1] == 40.0 and daily[2]["data"][-1] is not None
    with page.expect_download() as png:
        page.get_by_test_id("chart-trend-day").get_by_role("button", name="PNG").click()
    assert png.value.suggested_filename == "trend-day.png"
    assert png.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as map_png:
        page.get_by_role("button", name="Mapa PNG").click()
    assert map_png.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as table:
        page.get_by_test_id("chart-trend-day").get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(table.value.path().read_text(encoding="utf-8"))))
    assert rows[-1]["tasa_pct"] == "40.0" and rows[-1]["nivel"] == "Rojo"


def chart_datasets(page, chart: str) -> list[dict]:
    """What Chart.js draws for a chart of the page: each dataset's label, values and line options."""
    return page.evaluate(f"""Chart.getChart('{chart}').data.datasets.map(d => (
        {{label: d.label, data: d.data, spanGaps: d.spanGaps, stepped: d.stepped ?? false}}))""")


def test_the_map_legend_shows_the_shapes_of_the_map_and_its_table(site, seeded):
    site.visit("/", screenshot="semaforo-map")
    page = site.page
    legend = page.get_by_test_id("states-legend")
    expect(legend.locator("li .badge")).to_have_text(["Rojo", "Amarillo", "Verde", "Gris"])
    shapes = legend.locator("svg.level-icon").evaluate_all("icons => icons.map(i => i.innerHTML)")
    legend_shape = dict(zip(["red", "yellow", "green", "grey"], shapes, strict=True))
    # Each tile and each row of the states table draws its level with the legend's shape.
    tiles = page.get_by_test_id("states-map").locator("g.tile").evaluate_all(
        "tiles => tiles.map(t => [t.dataset.level, t.querySelector('svg.level-icon').innerHTML])")
    assert {level for level, _ in tiles} == {"grey", "yellow"}  # Jalisco yellow, the rest without posts
    assert all(shape == legend_shape[level] for level, shape in tiles)
    rows = page.get_by_test_id("states-table").locator("td.level-cell").evaluate_all(
        "cells => cells.map(c => [c.className.split('level-').at(-1), c.querySelector('svg').innerHTML])")
    assert all(shape == legend_shape[level] for level, shape in rows)


def test_signed_in_users_drill_down_from_a_number_to_its_posts(site, seeded):
    get_user_model().objects.create_user("analista", password=PASSWORD, is_staff=True)
    site.log_in(username="analista", password=PASSWORD)
    page = site.page
    page.get_by_test_id("light-roja").get_by_role("link", name="20").click()
    site.settle(screenshot="semaforo-drilldown")
    expect(page.get_by_test_id("post-count")).to_have_text("20 publicaciones")
    expect(page.get_by_test_id("posts").locator("tbody tr")).to_have_count(20)
    expect(page.get_by_test_id("post-filters")).to_contain_text("Roja")


def test_search_by_hashtag_shows_the_same_widgets_for_its_posts(site, seeded):
    site.visit("/")
    site.page.get_by_role("searchbox").fill("#Prueba")
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Buscar").click()
    site.settle(screenshot="semaforo-search")
    page = site.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Semáforo de #prueba")
    expect(page.get_by_test_id("light-all")).to_contain_text("50")  # the red category's 50 tagged posts
    expect(page.get_by_test_id("light-verde")).to_contain_text("0")
    expect(page.get_by_test_id("light-verde").locator("dd").nth(1)).to_have_text("0")  # its posts: none tagged


def test_the_home_fits_a_phone(phone_site, seeded):
    phone_site.visit("/", screenshot="semaforo-phone")
    assert phone_site.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_text_analysis_box_shows_scores_terms_and_words(site, dictionary, archive_dir):
    from classifier.services.training import demo_model_ensure

    demo_model_ensure()
    site.visit("/analizar/")
    page = site.page
    page.get_by_label("Texto").fill("Ese naco no sabe nada, pinche chairo")
    with page.expect_navigation():
        page.get_by_role("button", name="Analizar").click()
    site.settle(screenshot="semaforo-analysis")
    analysis = page.get_by_test_id("analysis")
    expect(analysis.locator("mark")).to_have_count(2)  # naco, chairo
    first = page.get_by_test_id("scores").locator("tr").first
    expect(first).to_contain_text(re.compile(r"\d+\.\d %"))  # a decimal point, as written in Mexico
    # Each bar is as wide as its probability: the likeliest label's bar is wider than the least likely's.
    widths = page.get_by_test_id("scores").locator(".bar").evaluate_all("bars => bars.map(b => b.offsetWidth)")
    assert widths == sorted(widths, reverse=True) and widths[0] > 2 * widths[-1]
    expect(page.get_by_test_id("explanation").locator("tr")).not_to_have_count(0)
