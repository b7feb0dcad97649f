"""Labeling in Chromium: annotators answer with the keyboard only, a reviewer settles, a coordinator reads the figures.

One campaign of six posts, two annotators per post. Ana labels five posts using
only keys; Beto labels the same five and disagrees once; Rita (reviewer) settles
that one; Coco (coordinator) sees 80 % agreement on "¿Es discriminatorio?".
"""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, expect

from classifier.models import LabeledText
from labeling.models import Annotation, Campaign, CampaignItem
from labeling.roles import ANNOTATORS, COORDINATORS, REVIEWERS, roles_sync
from tests.factories import TweetFactory

from .conftest import DESKTOP, PHONE, context_open, site_open

pytestmark = pytest.mark.browser
PASSWORD = "clave-de-prueba-9471"
READING_MS = 300
POSTS = [
    "Qué naco eres, ni vestirte sabes",
    "Hoy llueve en Guadalajara y no traje paraguas",
    "Pinche viejita, ya no debería manejar",
    "Ese chairo no entiende nada de economía",
    "Mañana hay partido a las ocho",
    "Otra publicación para después",
]
# Ana's keys for each post: the answer, then category numbers (1 Apariencia … 4 Género, 3 Edad, 5 Ideología).
ANA = [("s", "1"), ("n", ""), ("s", "3"), ("s", "5"), ("n", "")]
BETO = [("s", "1"), ("n", ""), ("s", "3"), ("n", ""), ("n", "")]  # disagrees on the fourth


@pytest.fixture
def campaign(transactional_db, dictionary) -> Campaign:
    roles_sync()
    for username, group in (("ana", ANNOTATORS), ("beto", ANNOTATORS), ("rita", REVIEWERS), ("coco", COORDINATORS)):
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        user.groups.add(Group.objects.get(name=group))
    campaign = Campaign.objects.create(
        name="Marzo 2026", status=Campaign.Status.RUNNING, annotators_per_item=2,
        guidelines="## Apariencia\nInsultos por el aspecto o el origen.",
    )
    for text in POSTS:
        CampaignItem.objects.create(campaign=campaign, tweet=TweetFactory.create(text=text, state="JAL"))
    return campaign


def label_with_keys(site, campaign: Campaign, keys: list[tuple[str, str]], *, shot: str) -> None:
    page = site.page
    site.log_in(username=shot, password=PASSWORD, next_path="/etiquetado/")
    page.get_by_role("link", name="Etiquetar").click()
    site.settle()
    for number, (answer, categories) in enumerate(keys):
        expect(page.get_by_test_id("progress")).to_contain_text(f"Llevas {number} ")
        page.keyboard.press(answer)
        for key in categories:
            page.keyboard.press(key)
        if number == 0:
            site.screenshot(f"annotate-{shot}")
        page.wait_for_timeout(READING_MS)  # reading the post: the page counts this time
        with page.expect_navigation():
            page.keyboard.press("Enter")
        site.settle()
        expect(page.get_by_role("status")).to_contain_text("Respuesta guardada.")
    expect(page.get_by_test_id("progress")).to_contain_text(f"Llevas {len(keys)} ")


def test_two_annotators_a_reviewer_and_a_coordinator(browser: Browser, live_server, tmp_path, campaign):
    contexts = []

    def person():  # noqa: ANN202
        context = context_open(browser, viewport=DESKTOP)
        contexts.append(context)
        return site_open(context.new_page(), live_server, tmp_path)

    try:
        ana = person()
        label_with_keys(ana, campaign, ANA, shot="ana")
        first = ana.page
        # The post in hand is the sixth; its dictionary terms are marked, the model is not shown (blind).
        expect(first.get_by_test_id("post")).to_contain_text(POSTS[5])
        expect(first.get_by_test_id("model-hint")).to_have_count(0)
        # The whole screen fits 1280×800: the answer button needs no scrolling.
        expect(first.get_by_role("button", name=re.compile("^Enviar"))).to_be_in_viewport()
        # An annotator reaches only the labeling pages.
        first.goto(live_server.url + "/")
        assert first.url.endswith("/etiquetado/")

        label_with_keys(person(), campaign, BETO, shot="beto")
        answers = Annotation.objects.filter(assignment__item__campaign=campaign)
        assert answers.count() == 10
        assert all(READING_MS / 1000 <= row.seconds < 30 for row in answers), [row.seconds for row in answers]
        assert CampaignItem.objects.filter(status="settled").count() == 4
        disputed = CampaignItem.objects.get(status="disputed")
        assert disputed.text == POSTS[3]

        rita = person()
        rita.log_in(username="rita", password=PASSWORD, next_path="/etiquetado/")
        expect(rita.page.get_by_test_id("review-callout")).to_contain_text("Hay 1 publicación en desacuerdo")
        rita.page.get_by_role("link", name="Ir a la revisión").click()
        rita.page.get_by_role("link", name="Resolver").click()
        rita.settle()
        expect(rita.page.get_by_test_id("answers")).to_contain_text("ana")
        expect(rita.page.get_by_test_id("answers")).to_contain_text("Ideología")
        rita.page.keyboard.press("s")
        rita.page.keyboard.press("5")
        rita.screenshot("review")
        with rita.page.expect_navigation():
            rita.page.keyboard.press("Enter")
        rita.settle(screenshot="review-done")
        expect(rita.page.get_by_test_id("empty-state")).to_contain_text("No hay desacuerdos pendientes")
        assert LabeledText.objects.get(external_id=disputed.external_id).labels == ["discriminatory", "ideologia"]

        coco = person()
        coco.log_in(username="coco", password=PASSWORD, next_path="/etiquetado/")
        coco.screenshot("index-coordinator")
        coco.page.get_by_role("link", name="Métricas y exportaciones").click()
        coco.settle(screenshot="report")
        question = coco.page.get_by_test_id("agreement").locator('tr[data-key="discriminatory"] td')
        # 4 of 5 posts agree; Cohen's kappa by hand: p_o = 0.8, p_e = 0.6·0.4 + 0.4·0.6 = 0.48, (0.8−0.48)/0.52.
        expect(question.nth(1)).to_have_text("5")
        expect(question.nth(2)).to_have_text("80.0 %")
        expect(question.nth(4)).to_have_text(f"{(0.8 - 0.48) / 0.52:.3f}")
        expect(coco.page.get_by_test_id("annotators")).to_contain_text("beto")
        with coco.page.expect_download() as download:
            coco.page.get_by_role("link", name="Métricas por anotador (CSV)").click()
        assert "anotador,respondidas" in download.value.path().read_text(encoding="utf-8")
    finally:
        for context in contexts:
            context.close()


def test_the_annotation_screen_works_on_a_phone(browser: Browser, live_server, tmp_path, campaign):
    context = context_open(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        site = site_open(context.new_page(), live_server, tmp_path)
        site.log_in(username="ana", password=PASSWORD, next_path=f"/etiquetado/campanas/{campaign.pk}/")
        page = site.page
        site.screenshot("annotate-phone")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
        page.locator("label.answer", has_text="Sí").tap()
        page.locator("label.choice", has_text="Apariencia").tap()
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("^Enviar")).tap()
        site.settle(screenshot="annotate-phone-after")
        saved = Annotation.objects.get()
        assert (saved.answer, saved.categories) == ("yes", ["apariencia"])
    finally:
        context.close()


def test_a_yes_without_a_category_says_so_on_the_screen(site, campaign):
    site.log_in(username="ana", password=PASSWORD, next_path="/etiquetado/")
    page = site.page
    # The index and the annotation page count the same posts left: the one on screen is still to do.
    expect(page.get_by_test_id("campaigns")).to_contain_text("Llevas 0 · quedan 6 para ti")
    page.get_by_role("link", name="Etiquetar").click()
    site.settle()
    expect(page.get_by_test_id("progress")).to_contain_text("Llevas 0 · quedan 6 para ti")
    alert = page.get_by_test_id("answer-alert")
    expect(alert).to_be_hidden()
    page.keyboard.press("Enter")  # nothing chosen yet
    expect(alert).to_have_text("Elige Sí, No o No estoy seguro (teclas S, N o ?).")
    page.keyboard.press("s")
    expect(alert).to_be_hidden()  # the answer it asked for clears it
    page.keyboard.press("Enter")
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Falta la categoría")
    expect(page.locator("fieldset.categories input[data-key='1']")).to_be_focused()
    site.screenshot("annotate-category-missing")
    assert Annotation.objects.count() == 0
    page.get_by_text("Atajos de teclado").click()
    expect(page.locator("details.keys")).to_contain_text("Sí (después elige al menos una categoría con 1–9)")
    page.keyboard.press("1")
    expect(alert).to_be_hidden()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    site.settle()
    expect(page.get_by_role("status")).to_contain_text("Respuesta guardada.")
    expect(page.get_by_test_id("progress")).to_contain_text("Llevas 1 · quedan 5 para ti")
    assert Annotation.objects.get().categories == ["apariencia"]
    with page.expect_navigation():
        page.keyboard.press("u")
    site.settle()
    expect(page.get_by_test_id("progress")).to_contain_text("Llevas 0 · quedan 6 para ti")
