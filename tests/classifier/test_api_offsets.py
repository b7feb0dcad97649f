"""Explanation words carry where they are in the text as sent: POST /api/v1/classify and /api/v1/tasks/{task}/predict,
and the schema that documents it."""
from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_fresh")]

# Capitals, an accent, an elongation, an emoji before the words and a repeated word: offsets are the text's own.
SLUR = "🙄 Esa FEMINAZIIII y el NACO… ¡qué naco! Ñoña"


def test_classify_words_have_start_end_and_every_occurrence(trained_models, client_with):
    response = client_with("classify").post("/api/v1/classify", {"text": SLUR}, format="json")
    assert response.status_code == 200, response.content
    words = {w["word"]: w for w in response.json()["results"][0]["explanation"]["words"]}
    assert "naco" in words, words
    naco = words["naco"]
    assert [SLUR[s["start"]:s["end"]] for s in naco["spans"]] == ["NACO", "naco"]
    assert (naco["start"], naco["end"]) == (naco["spans"][0]["start"], naco["spans"][0]["end"])
    for word in words.values():  # every word of a text without context is placed, on the text as sent
        assert word["start"] is not None and word["spans"], word
        assert all(0 <= s["start"] < s["end"] <= len(SLUR) for s in word["spans"])


def test_without_explanation_there_are_no_words_to_place(trained_models, client_with):
    body = client_with("classify").post("/api/v1/classify", {"text": SLUR, "explain": False}, format="json").json()
    assert "explanation" not in body["results"][0]


def test_predict_places_the_plots_words_and_a_context_word_has_no_place(trained_models, client_with):
    plot = "The COWBOY and the sheriff ride to the saloon on a horse"
    response = client_with("classify").post(
        "/api/v1/tasks/movie-genres/predict", {"text": plot, "context": {"year": 1960, "title": "Ghost Ranch"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    words = response.json()["results"][0]["explanation"]["words"]
    for word in words:
        if word["start"] is None:  # a token of the context (decade, title words): not in the text
            assert word["end"] is None and word["spans"] == [] and word["word"].startswith(("decada_", "titulo_"))
        else:
            assert plot[word["start"]:word["end"]].lower() == word["word"]
    assert any(w["word"] == "cowboy" and plot[w["start"]:w["end"]] == "COWBOY" for w in words)


def test_the_schema_documents_start_end_as_nullable_and_spans():
    schema = SchemaGenerator().get_schema(public=True)
    word = schema["components"]["schemas"]["ExplanationWordOutput"]
    assert word["properties"]["start"]["nullable"] and word["properties"]["end"]["nullable"]
    assert {"word", "weight", "start", "end", "spans"} <= set(word["required"])
    assert "puntos de código" in word["properties"]["start"]["description"]
