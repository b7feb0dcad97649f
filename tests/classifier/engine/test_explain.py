"""Explanations: the words that pushed a label add up to its decision value; fast scoring equals scikit-learn."""
from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict

import numpy as np
import pytest
from scipy import sparse

from classifier.artifacts import artifact_load
from classifier.engine import explain
from classifier.engine.features import features_build, features_scale, features_transform, texts_normalize
from classifier.engine.fitting import SearchParams, label_search
from classifier.engine.model import TaskModel
from classifier.engine.scoring import model_features, model_scorer, model_scores, model_scores_explained
from classifier.engine.text import text_config_for, text_tokenize
from classifier.engine.vectors import embedding_block_of, embedding_features
from classifier.label_sets import task_language
from classifier.services.training import TrainParams, model_version_train
from ingestion.sources.replay import demo_corpus
from tests.shared_data import needs_shared

CONFIG = text_config_for(language=task_language(task="discrimination"))
UNSEEN = [
    "Un texto con palabras nuevas: otorrinolaringólogo", "", "   ", "mujeres mujeres mujeres",
    "muy muy muy muy bonito bonito", "naco", "🙄 naco naco 🙄", "las viejas no saben manejar las viejas",
    "Qué bonito día en Guadalajara #NoEsNormal @alguien https://t.co/x 3.5",
]


def corpus() -> tuple[list[str], dict[str, np.ndarray]]:
    items = demo_corpus()
    texts = [item["text"] for item in items]
    labels = {
        "discriminatory": np.array([int(item["discriminatory"]) for item in items]),
        "genero": np.array([int("genero" in item["categories"]) for item in items]),
    }
    return texts, labels


def model_build(*, with_embedding: bool) -> TaskModel:
    """A two-label model of the demo corpus, one label with naive-Bayes scaling, built the way training builds it.

    With the embedding block, every label reads its columns (the training search would
    only keep them where they help), and the word vectors are random unit vectors."""
    texts, labels = corpus()
    normalized = texts_normalize(texts, config=CONFIG)
    vectorizer, embedding = features_build().fit(normalized), None
    if with_embedding:
        words = sorted({word for text in normalized for word in text.split()})[::2]  # half the words have a vector
        vectors = np.random.default_rng(7).normal(size=(len(words), 8)).astype(np.float32)
        embedding = embedding_block_of(
            words=np.array(words), vectors=vectors, version=1, normalized_texts=normalized, weight=0.5
        )
    features = features_transform(normalized, vectorizer=vectorizer, embedding=embedding)
    fits = {
        label: label_search(features, y, np.ones(len(y)), SearchParams(
            c_grid=(4.0,), scalings=(scaling,), balancings=("class_weight",), cv_folds=2, finalists=1,
        ))
        for (label, y), scaling in zip(labels.items(), ("plain", "nb"), strict=True)
    }
    return TaskModel(
        task="discrimination", labels=list(labels), text=CONFIG, vectorizer=vectorizer, embedding=embedding,
        classifiers={label: fit.classifier for label, fit in fits.items()},
        scalings={label: fit.scaling for label, fit in fits.items()},
        calibrators={label: fit.calibrator for label, fit in fits.items()},
        thresholds={label: fit.threshold for label, fit in fits.items()},
    )


@pytest.fixture(scope="module")
def plain_model() -> TaskModel:
    return model_build(with_embedding=False)


@pytest.fixture(scope="module")
def embedded_model() -> TaskModel:
    return model_build(with_embedding=True)


def decision_values(model: TaskModel, texts: list[str], label: str) -> np.ndarray:
    """The label's decision value the long way: scikit-learn's vectorisers and the logistic regression."""
    classifier = model.classifiers[label]
    features = model_features(model, texts_normalize(texts, config=CONFIG))[:, : classifier.coef_.shape[1]]
    return classifier.decision_function(features_scale(features, model.scalings[label]))


@pytest.mark.parametrize("model_name", ["plain_model", "embedded_model"])
def test_every_words_contribution_plus_the_intercept_is_the_decision_value(model_name, request):
    model = request.getfixturevalue(model_name)
    texts = corpus()[0][:150] + UNSEEN
    for label in model.labels:
        _, explanations = model_scores_explained(model, texts, label=label, top=10_000)
        intercept = model.classifiers[label].intercept_[0]
        totals = np.array([sum(weight for _, weight in words) + intercept for words in explanations])
        np.testing.assert_allclose(totals, decision_values(model, texts, label), rtol=0, atol=1e-9)
        for words, normalized in zip(explanations, texts_normalize(texts, config=CONFIG), strict=True):
            named = [word for word, _ in words]
            assert len(named) == len(set(named)) and set(named) <= set(normalized.split())  # one entry per word


def reference_contributions(model: TaskModel, text: str, label: str) -> dict[str, float]:
    """Each word's contribution by the rules, feature by feature, from scikit-learn's own features."""
    normalized = texts_normalize([text], config=CONFIG)[0]
    occurrences = Counter(normalized.split())
    classifier, scaling = model.classifiers[label], model.scalings[label]
    coef = classifier.coef_.ravel() * (1.0 if scaling is None else scaling)
    (_, words), (_, chars) = model.vectorizer.transformer_list
    found: defaultdict[str, float] = defaultdict(float)
    row = words.transform([normalized])
    terms = {column: term for term, column in words.vocabulary_.items()}
    for column, value in zip(row.indices, row.data, strict=True):
        parts = terms[column].split(" ")  # a bigram: half to each word
        for part in parts:
            found[part] += value * coef[column] / len(parts)
    row, analyzer, offset = chars.transform([normalized]), chars.build_analyzer(), len(words.vocabulary_)
    terms = {column: term for term, column in chars.vocabulary_.items()}
    for column, value in zip(row.indices, row.data, strict=True):
        holders = {word: n * analyzer(word).count(terms[column]) for word, n in occurrences.items()}
        for word, count in holders.items():  # in proportion to how many times each word holds the n-gram
            found[word] += value * coef[offset + column] * count / sum(holders.values())
    block = model.embedding
    if block is not None and len(coef) > offset + len(chars.vocabulary_):
        shares = block.vectorizer.transform([normalized]).toarray()[0]  # the TF-IDF weights of the mean
        length = np.linalg.norm(shares @ block.vectors.astype(np.float64))
        for word, column in block.vectorizer.vocabulary_.items():
            push = float(block.vectors[column].astype(np.float64) @ coef[-block.vectors.shape[1]:])
            found[word] += block.weight * shares[column] * push / length if shares[column] else 0.0
    return {word: value for word, value in found.items() if value}


@pytest.mark.parametrize("model_name", ["plain_model", "embedded_model"])
def test_each_word_gets_its_unigram_half_its_bigrams_its_share_of_ngrams_and_of_the_mean_vector(model_name, request):
    model = request.getfixturevalue(model_name)
    texts = ["las viejas no saben manejar y las viejas tampoco votar", "pinche naco igualado, regrésate a tu rancho",
             "muy muy muy bonito día en Guadalajara 🙄 #NoEsNormal", "mujeres mujeres mujeres"]
    for label in model.labels:
        explanations = model_scores_explained(model, texts, label=label, top=100)[1]
        for text, words in zip(texts, explanations, strict=True):
            assert dict(words) == pytest.approx(reference_contributions(model, text, label), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("model_name", ["plain_model", "embedded_model"])
def test_fast_features_equal_scikit_learn_on_seen_and_unseen_texts(model_name, request):
    model = request.getfixturevalue(model_name)
    scorer = model_scorer(model)
    (_, words), (_, chars) = model.vectorizer.transformer_list
    seen = texts_normalize(corpus()[0], config=CONFIG)
    unseen = texts_normalize(UNSEEN, config=CONFIG)
    for batch in (seen, unseen, unseen):  # twice: the second time from the word store
        fast = scorer.features([text.split() for text in batch]).toarray()
        np.testing.assert_array_equal(fast[:, : len(words.vocabulary_)], words.transform(batch).toarray())
        np.testing.assert_array_equal(fast[:, len(words.vocabulary_):len(words.vocabulary_) + len(chars.vocabulary_)],
                                      chars.transform(batch).toarray())
        if model.embedding is not None:
            reference = embedding_features(model.embedding, batch).toarray()
            np.testing.assert_allclose(fast[:, -8:], reference, rtol=0, atol=1e-12)


def test_repeated_word_bigrams_count_like_scikit_learn():
    union = features_build().fit(["a b a b a b", "a b", "b a", "c", "a b c a b c", "a a a a"] * 2)
    model = TaskModel(task="t", labels=[], text=CONFIG, vectorizer=union, embedding=None, classifiers={}, scalings={},
                      calibrators={}, thresholds={})
    scorer = explain.Scorer(model, np.zeros((0, 0)), np.zeros(0))
    texts = ["a b a b a b a", "c a b", "a", "b b b b a b", ""]
    width = len(union.transformer_list[0][1].vocabulary_)
    fast = scorer.features([text.split() for text in texts]).toarray()[:, :width]
    np.testing.assert_array_equal(fast, union.transformer_list[0][1].transform(texts).toarray())


def test_without_a_label_explanations_are_empty_and_scores_identical(plain_model):
    texts = corpus()[0][:40] + UNSEEN
    scores, explanations = model_scores_explained(plain_model, texts, label=None)
    assert explanations == [[] for _ in texts]
    again = model_scores(plain_model, texts)
    explained_scores, _ = model_scores_explained(plain_model, texts, label="genero", top=3)
    for label in plain_model.labels:
        np.testing.assert_array_equal(scores[label], again[label])
        np.testing.assert_array_equal(scores[label], explained_scores[label])


@pytest.mark.parametrize("model_name", ["plain_model", "embedded_model"])
def test_scores_equal_scikit_learns_vectorisers_and_calibrators(model_name, request):
    model = request.getfixturevalue(model_name)
    texts = corpus()[0] + UNSEEN
    scores = model_scores(model, texts)
    for label in model.labels:
        decisions = decision_values(model, texts, label)
        reference = model.calibrators[label].predict_proba(decisions.reshape(-1, 1))[:, 1]
        np.testing.assert_allclose(scores[label], reference, rtol=1e-12, atol=0)
    # The sigmoid the scorer applies is the calibrator's own, to the last bit.
    decisions = np.linspace(-8, 8, 33)[:, None] * np.ones((1, len(model.labels)))
    probabilities = model_scorer(model).probabilities(decisions)
    for i, label in enumerate(model.labels):
        calibrated = model.calibrators[label].predict_proba(decisions[:, [i]])[:, 1]
        np.testing.assert_array_equal(probabilities[i], calibrated)


def test_without_word_vectors_scores_are_scikit_learns_to_the_last_bit(plain_model):
    """TF-IDF by the vectorisers' own `transform`, one sparse product with the naive-Bayes
    ratios folded into the coefficients, the calibrator's `predict_proba`."""
    texts = corpus()[0] + UNSEEN
    normalized = texts_normalize(texts, config=CONFIG)
    blocks = [vectorizer.transform(normalized) for _, vectorizer in plain_model.vectorizer.transformer_list]
    features = sparse.hstack(blocks, format="csr")
    scores = model_scores(plain_model, texts)
    for label in plain_model.labels:
        classifier, scaling = plain_model.classifiers[label], plain_model.scalings[label]
        coef = classifier.coef_.ravel() if scaling is None else classifier.coef_.ravel() * scaling
        decisions = (features @ coef + classifier.intercept_[0]).reshape(-1, 1)
        np.testing.assert_array_equal(scores[label], plain_model.calibrators[label].predict_proba(decisions)[:, 1])


def test_top_words_are_sorted_by_size_and_do_not_depend_on_the_batch(plain_model, monkeypatch):
    texts = corpus()[0][:30] + UNSEEN
    _, batch = model_scores_explained(plain_model, texts, label="discriminatory", top=3)
    alone = [model_scores_explained(plain_model, [text], label="discriminatory", top=3)[1][0] for text in texts]
    monkeypatch.setattr(explain, "CHUNK_TEXTS", 4)  # chunk boundaries inside the batch
    _, chunked = model_scores_explained(plain_model, texts, label="discriminatory", top=3)
    assert batch == alone == chunked
    for words in batch:
        sizes = [abs(weight) for _, weight in words]
        assert len(words) <= 3 and sizes == sorted(sizes, reverse=True) and 0 not in sizes
    assert model_scores_explained(plain_model, texts[:2], label="discriminatory", top=0)[1] == [[], []]
    assert batch[len(texts) - len(UNSEEN) + 1] == batch[len(texts) - len(UNSEEN) + 2] == []  # empty texts


def test_no_texts_and_texts_without_words(plain_model):
    nothing = model_scores(plain_model, [])
    assert {label: len(values) for label, values in nothing.items()} == {"discriminatory": 0, "genero": 0}
    scores, explanations = model_scores_explained(plain_model, ["", "  ", "¡¿...?!"], label="genero")
    assert explanations == [[], [], []]
    intercept = plain_model.classifiers["genero"].intercept_.reshape(1, 1)
    assert set(scores["genero"]) == {plain_model.calibrators["genero"].predict_proba(intercept)[0, 1]}


def test_a_repeated_word_is_one_entry(plain_model):
    _, [words] = model_scores_explained(plain_model, ["pinche vieja pinche vieja pinche"], label="discriminatory")
    assert sorted(word for word, _ in words) == ["pinche", "vieja"]


def test_features_the_fast_path_does_not_reproduce_score_through_scikit_learn(plain_model):
    import copy

    union = copy.deepcopy(plain_model.vectorizer).set_params(words__lowercase=True)  # texts are lower-cased already
    model = dataclasses.replace(plain_model, vectorizer=union)
    texts = corpus()[0][:50]
    for label, values in model_scores(model, texts).items():
        np.testing.assert_allclose(values, model_scores(plain_model, texts)[label], rtol=1e-12)
    with pytest.raises(ValueError, match="cannot be explained"):
        model_scores_explained(model, texts, label="genero")


def test_an_unknown_label_is_refused(plain_model):
    with pytest.raises(ValueError, match="no label 'religion'"):
        model_scores_explained(plain_model, ["hola"], label="religion")


def test_a_growing_or_restarted_word_store_and_the_argsort_fallback_change_nothing(plain_model, monkeypatch):
    texts = [f"palabra{n} otra{n} naco vieja{n % 7}" for n in range(3000)] + UNSEEN
    model = dataclasses.replace(plain_model)  # a model scoring has compiled nothing from yet
    first = model_scores_explained(model, texts, label="genero", top=5)
    assert len(model_scorer(model).store.words) > 6000  # grew past its first arrays
    monkeypatch.setattr(explain, "WORD_CACHE_LIMIT", 100)  # started again every chunk
    monkeypatch.setattr(explain, "PACKED_BITS", 0)  # the argsort path instead of the packed sort
    fresh = dataclasses.replace(plain_model)
    second = model_scores_explained(fresh, texts, label="genero", top=5)
    np.testing.assert_allclose(first[0]["genero"], second[0]["genero"], rtol=1e-13)
    assert [[w for w, _ in words] for words in first[1]] == [[w for w, _ in words] for words in second[1]]
    weights = [[x for words in explained[1] for _, x in words] for explained in (first, second)]
    np.testing.assert_allclose(weights[0], weights[1], rtol=1e-12)


@needs_shared
@pytest.mark.django_db
def test_a_slur_is_the_word_that_pushes_a_post_towards_discriminatory(hateval_head, dictionary, archive_dir):
    hateval_head(1200)
    version = model_version_train(task="discrimination", params=TrainParams(
        c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3))
    model = artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)

    texts = ["Cállate zorra, nadie te preguntó nada", "Qué bonito día hace hoy en Madrid"]
    scores, explanations = model_scores_explained(model, texts, label="discriminatory", top=5)

    assert scores["discriminatory"][0] > 0.5 > scores["discriminatory"][1]
    word, weight = explanations[0][0]
    assert word == "zorra" and weight > 0
    assert max(weight for _, weight in explanations[1]) < weight


def test_explaining_several_labels_in_one_pass_gives_each_labels_own_explanation(plain_model):
    texts = corpus()[0][:60] + UNSEEN
    tokens = [text_tokenize(text, config=CONFIG) for text in texts]
    scorer = model_scorer(plain_model)
    decisions, explained = scorer.score_labels(tokens, labels=["discriminatory", "genero"], top=5)
    for label in ("discriminatory", "genero"):
        alone, words = scorer.score(tokens, label=label, top=5)
        np.testing.assert_array_equal(decisions, alone)
        assert explained[label] == words
