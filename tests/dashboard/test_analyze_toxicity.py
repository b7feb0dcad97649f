"""/analizar/ with the toxicity model: its attributes next to the discrimination result, the explaining words marked
in the text by their offsets, and a clear empty state without a toxicity model."""
from __future__ import annotations

import re

import pytest

TEXT = "Eres una pinche NACAAA igualada 🙄, regrésate a tu rancho"


@pytest.fixture
def both_models(trained_model, trained_toxicity_model):
    return trained_model, trained_toxicity_model


def marked(html: str, testid: str) -> list[str]:
    """The characters each explaining word marks in the text of a section."""
    paragraph = re.search(rf'data-testid="{testid}">(.*?)</p>', html, re.S)
    assert paragraph, testid
    return [re.sub(r"<[^>]+>", "", inner) for inner in re.findall(r'<span class="why [^"]*"[^>]*>(.*?)</span>', paragraph.group(1))]


def test_the_page_shows_the_attributes_and_marks_the_words_as_typed(client, both_models):
    response = client.post("/analizar/", {"texto": TEXT})
    html = response.content.decode()
    toxicity = response.context["toxicity"]
    assert toxicity["available"] and [name for name, *_ in toxicity["scores"]] == ["Toxicidad", "Ataque a la identidad"]
    assert "Amenaza" in toxicity["missing"] and 'data-testid="toxicity-missing"' in html
    assert 'data-testid="toxicity-scores"' in html and "Toxicidad grave" in html  # named among what it does not estimate
    for testid in ("analysis-text", "toxicity-text"):
        pieces = marked(html, testid)
        assert pieces and all(piece in TEXT for piece in pieces)
    # Every explaining word is marked on the characters as typed: accents kept ("regrésate" for `regresate`), the emoji.
    words = response.context["result"]["explanation"]["words"]
    typed = [TEXT[span["start"]:span["end"]] for w in words for span in w["spans"]]
    assert sorted(marked(html, "analysis-text")) == sorted(typed) and "regrésate" in typed and "🙄" in typed
    assert re.search(r'<span class="why up" data-word="[^"]+" title="[^"]+: \+\d', html)


def test_without_a_toxicity_model_the_page_says_so_and_still_answers_discrimination(client, trained_model):
    response = client.post("/analizar/", {"texto": TEXT})
    html = response.content.decode()
    assert response.context["toxicity"] == {"available": False}
    assert 'data-testid="toxicity-empty"' in html and "Todavía no hay un modelo de toxicidad activo" in html
    assert 'data-testid="analysis"' in html


def test_without_any_model_both_say_so(client, db):
    html = client.post("/analizar/", {"texto": "hola"}).content.decode()
    assert "Todavía no hay un modelo activo que pueda analizar textos." in html
    assert "Todavía no hay un modelo de toxicidad activo" in html


def test_only_a_toxicity_model_still_shows_the_attributes(client, trained_toxicity_model):
    html = client.post("/analizar/", {"texto": TEXT}).content.decode()
    assert "Todavía no hay un modelo activo que pueda analizar textos." in html
    assert 'data-testid="toxicity-scores"' in html and marked(html, "toxicity-text")


def test_the_form_alone_shows_no_toxicity_section(client, db):
    assert 'data-testid="toxicity"' not in client.get("/analizar/").content.decode()
