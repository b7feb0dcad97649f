"""A toxicity campaign from the labeling queue in Chromium: an annotator reads a client's correction (pre-annotation
on) and answers "¿Es tóxico?" with the keyboard; the settled text becomes a toxicity label."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from classifier.models import LabeledText
from labeling.models import Campaign, QueuedText
from labeling.roles import ANNOTATORS, roles_sync
from labeling.services.campaigns import QueueFilters, campaign_from_queue_create
from labeling.services.queue import queued_texts_create

pytestmark = pytest.mark.browser
PASSWORD = "clave-de-prueba-5521"
TEXTS = ["Cállate, pendejo, nadie te pidió opinión", "Qué bonito día para ir al mercado"]


@pytest.fixture
def campaign(transactional_db) -> Campaign:
    roles_sync()
    user = get_user_model().objects.create_user("ana", password=PASSWORD)
    user.groups.add(Group.objects.get(name=ANNOTATORS))
    for text in TEXTS:
        queued_texts_create(task="toxicity", texts=[text], origin=QueuedText.Origin.SUGGESTSCORE,
                            suggested_scores={"TOXICITY": 0.93, "INSULT": 0.88, "PROFANITY": 0.7, "THREAT": 0.02},
                            comment="corregido por moderación")
    made, _taken = campaign_from_queue_create(
        name="Correcciones de toxicidad", filters=QueueFilters(task="toxicity"), annotators_per_item=1,
        pre_annotation=True, status=Campaign.Status.RUNNING,
        guidelines="Marca **Sí** si el texto es grosero, irrespetuoso o irrazonable.",
    )
    return made


def test_an_annotator_labels_a_queued_toxicity_text_with_the_keyboard(site, campaign):
    site.log_in(username="ana", password=PASSWORD, next_path="/etiquetado/")
    site.page.get_by_role("link", name="Etiquetar").click()
    site.settle()
    page = site.page
    expect(page.get_by_test_id("post")).to_contain_text(TEXTS[0])
    expect(page.get_by_test_id("post")).to_contain_text("sin autor, fecha ni lugar")
    expect(page.get_by_test_id("answer-form")).to_contain_text("¿Es tóxico?")
    expect(page.get_by_test_id("categories")).to_contain_text("Ataque a la identidad")
    expect(page.get_by_test_id("suggestion")).to_contain_text("Tóxico, Insulto, Groserías")
    expect(page.get_by_role("button", name=re.compile("^Enviar"))).to_be_in_viewport()
    page.keyboard.press("s")
    page.keyboard.press("2")  # Insulto
    site.screenshot("annotate-toxicity-queue")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    site.settle()
    expect(page.get_by_role("status")).to_contain_text("Respuesta guardada.")
    expect(page.get_by_test_id("post")).to_contain_text(TEXTS[1])
    page.keyboard.press("s")  # a toxic text needs no attribute: the browser lets it through
    with page.expect_navigation():
        page.keyboard.press("Enter")
    site.settle()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    labels = dict(LabeledText.objects.filter(task="toxicity").values_list("text", "labels"))
    assert labels == {TEXTS[0]: ["TOXICITY", "INSULT"], TEXTS[1]: ["TOXICITY"]}
