"""Per-row context tokens: they reach training and scoring, are explained like words, and a row without
context scores exactly as before."""
from __future__ import annotations

import numpy as np
import pytest

from classifier.artifacts import artifact_dumps, artifact_loads
from classifier.engine.features import texts_normalize
from classifier.engine.fitting import SearchParams, label_matrix, task_model_fit
from classifier.engine.model import TaskModel
from classifier.engine.scoring import label_probability, model_features, model_scores, model_scores_explained
from classifier.engine.text import text_config_for, tokens_with_context

CONFIG = text_config_for(language="en")
SEARCH = SearchParams(c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, finalists=1)
# A plot that says nothing of its genre: only its decade can.
VAGUE = "a man arrives in a small town and meets a stranger"
CLEAR = {"Western": "the cowboy rides to the saloon and the sheriff draws", "Sci-Fi": "the spaceship lands on an alien planet"}


def movies() -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Plots, genres and decade tokens: Westerns from the 1950s, science fiction from the 2010s, and
    half the films of each with the vague plot, which only the decade tells apart."""
    texts, labels, contexts = [], [], []
    for i in range(120):
        genre = "Western" if i % 2 else "Sci-Fi"
        texts.append(VAGUE if i % 4 < 2 else f"{CLEAR[genre]} number {i}")
        labels.append([genre])
        contexts.append(["decada_1950" if genre == "Western" else "decada_2010"])
    return texts, labels, contexts


def model_fit(*, with_context: bool) -> TaskModel:
    texts, labels, contexts = movies()
    normalized = texts_normalize(texts, config=CONFIG, contexts=contexts if with_context else None)
    names = ["Sci-Fi", "Western"]
    model, _ = task_model_fit(
        task="movie-genres", labels=names, text=CONFIG, normalized=normalized, y=label_matrix(labels, names),
        weights=np.ones(len(texts)), embedding=None, params=SEARCH,
    )
    return model


@pytest.fixture(scope="module")
def with_context() -> TaskModel:
    return model_fit(with_context=True)


@pytest.fixture(scope="module")
def without_context() -> TaskModel:
    return model_fit(with_context=False)


def test_context_tokens_follow_the_text_tokens_one_token_each():
    tokens = ["a", "man"]
    assert tokens_with_context(tokens, None) is tokens and tokens_with_context(tokens, []) is tokens
    assert tokens_with_context(tokens, ["decada_1950", "titulo_high  titulo_noon"]) == [
        "a", "man", "decada_1950", "titulo_high", "titulo_noon",
    ]
    assert texts_normalize(["A man!"], config=CONFIG, contexts=[["decada_1950"]]) == ["a man decada_1950"]


def test_a_model_trained_with_the_decade_reads_it_when_scoring(with_context):
    assert "decada_1950" in with_context.vectorizer.transformer_list[0][1].vocabulary_
    scores = model_scores(with_context, [VAGUE] * 3, contexts=[["decada_1950"], ["decada_2010"], []])
    western_1950, western_2010, western_alone = scores["Western"]
    assert western_1950 > 0.7 > 0.3 > western_2010  # the decade decides what the plot leaves open
    assert western_2010 < western_alone < western_1950


def test_the_fast_scorer_reads_context_as_scikit_learn_reads_the_joined_tokens(with_context):
    texts = [VAGUE, CLEAR["Western"], "an unseen plot entirely", ""]
    contexts = [["decada_1950"], ["decada_2010", "titulo_ride"], ["decada_1890"], ["decada_1950"]]
    fast = model_scores(with_context, texts, contexts=contexts)
    features = model_features(with_context, texts_normalize(texts, config=CONFIG, contexts=contexts))
    for label in with_context.labels:
        np.testing.assert_allclose(fast[label], label_probability(with_context, label, features), rtol=1e-10)


def test_the_decade_is_explained_like_a_word(with_context):
    _, (words,) = model_scores_explained(with_context, [VAGUE], label="Western", contexts=[["decada_1950"]])
    weights = dict(words)
    assert words[0][0] == "decada_1950" and weights["decada_1950"] > 0


@pytest.mark.parametrize("model_name", ["with_context", "without_context"])
def test_a_row_without_context_scores_exactly_as_before(model_name, request):
    model = request.getfixturevalue(model_name)
    texts = [VAGUE, CLEAR["Sci-Fi"], "otro texto", ""]
    before = model_scores(model, texts)
    for contexts in (None, [[], [], [], []]):
        again = model_scores(model, texts, contexts=contexts)
        for label in model.labels:
            np.testing.assert_array_equal(again[label], before[label])
    # The stored form is unchanged: a saved model comes back and scores the same.
    loaded = artifact_loads(artifact_dumps(model))
    for label in model.labels:
        np.testing.assert_array_equal(model_scores(loaded, texts)[label], before[label])
