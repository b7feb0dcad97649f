"""The spans of a text that push each toxicity attribute, each with its probability alone (Perspective's spanScores)."""
from __future__ import annotations

from itertools import pairwise

import pytest

from classifier.engine.offsets import text_tokens_placed
from classifier.engine.scoring import model_scorer, model_token_scores
from classifier.selectors.classification import model_for, texts_classify
from classifier.selectors.spans import ScoredSpan, text_scores_spans_get, text_spans_get

TEXT = "Eres una pinche NACA igualada, regrésate a tu rancho 🙄. Qué bonito día en Guadalajara"


@pytest.fixture
def loaded(trained_toxicity_model):
    return model_for(task="toxicity")


@pytest.mark.parametrize("top", [3, None])
def test_spans_are_runs_of_the_words_that_push_the_label_most_in_text_order(loaded, top):
    labels = [label for label in ("TOXICITY", "IDENTITY_ATTACK") if label in loaded.model.labels]
    spans = text_spans_get(loaded=loaded, text=TEXT, labels=labels, top=top)
    assert list(spans) == labels
    placed = text_tokens_placed(TEXT, config=loaded.model.text)
    _, explained = model_scorer(loaded.model).score_labels([[t for t, _, _ in placed]], labels=labels, top=100)
    for label in labels:
        found = spans[label]
        assert found and all(isinstance(span, ScoredSpan) for span in found)
        assert [span.begin for span in found] == sorted(span.begin for span in found)
        assert all(0 <= a.begin < a.end <= b.begin < b.end for a, b in pairwise(found))  # disjoint
        pushing = [word for word, contribution in explained[label][0] if contribution > 0][:top or 8]
        for token, start, end in placed:  # a token is inside a span exactly when its word pushes the label
            assert any(s.begin <= start and end <= s.end for s in found) == (token in pushing), (label, token)
        assert all(TEXT[s.begin] != " " and TEXT[s.end - 1] != " " for s in found)


def test_a_spans_value_is_the_labels_probability_for_its_words_alone(loaded):
    (label, *_) = loaded.model.labels
    for span in text_spans_get(loaded=loaded, text=TEXT, labels=[label])[label]:
        words = [token for token, _, _ in text_tokens_placed(TEXT[span.begin:span.end], config=loaded.model.text)]
        assert span.value == pytest.approx(float(model_token_scores(loaded.model, [words])[label][0]))
        alone = texts_classify(task="toxicity", texts=[TEXT[span.begin:span.end]], explain=False, loaded=loaded)
        assert span.value == pytest.approx(alone.results[0]["labels"][label], abs=1e-4)  # what the API says of it alone


def test_a_slur_is_a_span_with_a_higher_value_than_a_greeting_gets(loaded):
    spans = text_spans_get(loaded=loaded, text="pinche naco", labels=["TOXICITY"])["TOXICITY"]
    calm = texts_classify(task="toxicity", texts=["Qué bonito día"], explain=False, loaded=loaded).results[0]
    assert spans and spans[0].value > calm["labels"]["TOXICITY"]


def test_no_words_no_spans_and_an_unknown_label_is_refused(loaded):
    assert text_spans_get(loaded=loaded, text="  ", labels=["TOXICITY"]) == {"TOXICITY": []}
    assert text_spans_get(loaded=loaded, text="", labels=[]) == {}
    with pytest.raises(ValueError, match="THREAT"):
        text_spans_get(loaded=loaded, text=TEXT, labels=["THREAT"])  # not offered: no corpus has threats


@pytest.mark.parametrize("text", [TEXT, "¡¡ESTÚPIDAAAA!! 👎🏽", "Qué bonito día"])
def test_scores_with_spans_are_the_whole_texts_probabilities_and_the_same_spans(loaded, text):
    labels = list(loaded.model.labels)
    scores, spans = text_scores_spans_get(loaded=loaded, text=text, labels=labels)
    (classified,) = texts_classify(task="toxicity", texts=[text], explain=False, loaded=loaded).results
    assert {label: round(value, 4) for label, value in scores.items()} == classified["labels"]
    assert spans == text_spans_get(loaded=loaded, text=text, labels=labels)
