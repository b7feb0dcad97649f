"""Calibrating a label chosen leave-one-corpus-out: on the search's folds, or on every row both as a fit that never
saw its corpus scores it and as stratified folds over every corpus score it."""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.engine.evaluation import reliability_table
from classifier.engine.fitting import SearchParams, label_search

ONE = SearchParams(c_grid=(1.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3)


def corpora() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Two corpora with insults and calm texts, and a third of calm texts only (never left out)."""
    texts, y, groups = [], [], []
    for name, word in (("uno", "idiota"), ("dos", "imbécil")):
        for i in range(60):
            texts.append(f"eres un {word} {i}" if i % 3 == 0 else f"buenas tardes {name} {i}")
            y.append(int(i % 3 == 0))
            groups.append(name)
    for i in range(200):
        texts.append(f"qué bonito día {i}")
        y.append(0)
        groups.append("calmo")
    return texts, np.array(y), np.array(groups)


def test_calibration_on_corpora_seen_and_unseen_sees_the_one_class_corpus_and_keeps_the_left_out_figures():
    texts, y, groups = corpora()
    features = TfidfVectorizer().fit_transform(texts).tocsr()
    fit = label_search(features, y, np.ones(len(y)), dataclasses.replace(ONE, calibration="seen_and_unseen"), groups=groups)
    assert fit.chosen["folds"] == "por corpus" and fit.chosen["calibration"] == "por corpus y estratificada"
    assert set(fit.chosen["left_out"]) == {"uno", "dos"}
    search_only = label_search(features, y, np.ones(len(y)), ONE, groups=groups)
    assert search_only.chosen["calibration"] == "la de la búsqueda"
    # The calibrator learnt the base rate of every row (40 insults in 320), not of the left-out corpora's (40 in 120).
    intercept_rate = 1 / (1 + np.exp(-fit.calibrator.intercept_[0]))
    search_rate = 1 / (1 + np.exp(-search_only.calibrator.intercept_[0]))
    assert intercept_rate < search_rate


def slang_corpora() -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Features: a signal, then which corpus a row is from. Two corpora where insults score 2 and calm
    texts 0; a third of friendly slang only, scoring 2 on the signal (the insults' words), never an insult."""
    rng = np.random.default_rng(0)
    rows, y, groups = [], [], []
    for k, name in enumerate(("uno", "dos")):
        for i in range(150):
            rows.append([rng.normal(2.0 if i % 3 == 0 else 0.0), *(float(j == k) for j in range(3))])
            y.append(int(i % 3 == 0))
            groups.append(name)
    for _ in range(200):
        rows.append([rng.normal(2.0), 0.0, 0.0, 1.0])
        y.append(0)
        groups.append("jerga")
    return sparse.csr_matrix(np.array(rows)), np.array(y), np.array(groups)


def test_a_one_class_corpus_that_outscores_the_others_insults_when_left_out_does_not_flatten_the_sigmoid():
    # Scored by fits that never saw it, the slang sits above the insults of the other corpora: on those
    # scores alone a sigmoid is flat at the base rate (slope 0.01, no probability above 0.21). The final
    # fit knows the slang's corpus, and so do stratified folds: with their scores the probabilities
    # still separate insults from calm texts and from the slang.
    features, y, groups = slang_corpora()
    fit = label_search(features, y, np.ones(len(y)), dataclasses.replace(ONE, calibration="seen_and_unseen"), groups=groups)
    probabilities = fit.calibrator.predict_proba(fit.classifier.decision_function(features).reshape(-1, 1))[:, 1]
    insults, calm, slang = probabilities[y == 1], probabilities[(y == 0) & (groups != "jerga")], probabilities[groups == "jerga"]
    assert fit.calibrator.coef_[0, 0] > 0.2
    assert insults.mean() > 1.5 * calm.mean() > 2 * slang.mean()
    assert insults.max() > 0.5


def test_the_reliability_table_compares_each_bin_mean_probability_with_the_observed_share():
    table = reliability_table(np.array([0, 0, 1, 1]), np.array([0.1, 0.15, 0.7, 0.9]))
    assert table == [
        {"bin": "0.0-0.2", "rows": 2, "mean_probability": 0.125, "observed": 0.0},
        {"bin": "0.6-0.8", "rows": 1, "mean_probability": 0.7, "observed": 1.0},
        {"bin": "0.8-1.0", "rows": 1, "mean_probability": 0.9, "observed": 1.0},
    ]
