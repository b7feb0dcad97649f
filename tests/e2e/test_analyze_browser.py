"""/analizar/ in a real browser: the toxicity attributes next to the discrimination result, the explaining words
marked in the text as typed, on a desktop and on a 390 px phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

TEXT = "Eres una pinche NACAAA igualada 🙄, regrésate a tu rancho, Ñoño"


@pytest.fixture
def models(dictionary, archive_dir, trained_model, trained_toxicity_model):
    return trained_model, trained_toxicity_model


def analyze(site, *, screenshot: str) -> None:
    site.visit("/analizar/")
    page = site.page
    page.get_by_label("Texto").fill(TEXT)
    with page.expect_navigation():
        page.get_by_role("button", name="Analizar").click()
    site.settle(screenshot=screenshot)


def test_the_toxicity_attributes_and_the_marked_words_on_a_desktop(site, models):
    analyze(site, screenshot="analyze-toxicity-desktop")
    page = site.page
    expect(page.get_by_test_id("analysis")).to_be_visible()
    toxicity = page.get_by_test_id("toxicity")
    expect(toxicity.get_by_test_id("toxicity-scores").locator("tr")).to_have_count(2)  # TOXICITY, IDENTITY_ATTACK
    expect(toxicity.get_by_test_id("toxicity-missing")).to_contain_text("Amenaza")
    for testid in ("analysis-text", "toxicity-text"):
        text = page.get_by_test_id(testid)
        expect(text).to_have_text(TEXT)  # marking adds no character and loses none
        marked = text.locator(".why").all_inner_texts()
        assert marked and all(piece in TEXT for piece in marked), marked
        assert "regrésate" in marked  # the word as typed, accent included, not the normalised `regresate`
    # The tables name the words as typed too; the token is the cell's title.
    cell = page.get_by_test_id("toxicity-explanation").get_by_text("regrésate", exact=True)
    expect(cell).to_have_attribute("title", "regresate")
    # A word that pushes is visibly marked: a red underline under it.
    style = page.get_by_test_id("toxicity-text").locator(".why.up").first.evaluate(
        "e => getComputedStyle(e).textDecorationColor")
    assert style == "rgb(198, 40, 40)"


def test_the_analysis_with_toxicity_fits_a_phone(phone_site, models):
    analyze(phone_site, screenshot="analyze-toxicity-phone")
    page = phone_site.page
    expect(page.get_by_test_id("toxicity-scores")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_without_a_toxicity_model_the_page_says_so(site, dictionary, archive_dir, trained_model):
    analyze(site, screenshot="analyze-toxicity-empty")
    expect(site.page.get_by_test_id("toxicity-empty")).to_be_visible()
    expect(site.page.get_by_test_id("analysis-text").locator(".why")).not_to_have_count(0)
