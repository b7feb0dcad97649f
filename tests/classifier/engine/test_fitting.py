"""The per-label search across corpora (folds that leave a corpus out) and labels gated by another."""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.engine.fitting import LabelPlan, SearchParams, label_folds, label_search, task_model_fit
from classifier.engine.scoring import model_decisions, model_scores
from classifier.engine.text import text_config_for

ONE = SearchParams(c_grid=(1.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3)


def test_each_corpus_with_both_classes_is_left_out_once_and_a_one_class_corpus_only_trains():
    y = np.array([1, 0, 1, 0, 1, 0, 0, 0, 1, 0])
    groups = np.array(["a", "a", "b", "b", "c", "c", "d", "d", "e", "e"])
    folds, by_group = label_folds(y, ONE, groups)
    assert by_group
    left_out = [set(groups[valid]) for _, valid in folds]
    assert left_out == [{"a"}, {"b"}, {"c"}, {"e"}]  # d has no positive: it cannot be judged, only learnt from
    for train, valid in folds:
        assert not set(groups[train]) & set(groups[valid])  # the fold's model never saw the corpus it is judged on
        assert "d" in set(groups[train])


def test_with_fewer_than_two_judgeable_corpora_the_folds_are_stratified():
    y = np.array([1, 0] * 6)
    folds, by_group = label_folds(y, ONE, np.array(["a"] * 12))
    assert not by_group and len(folds) == 3
    assert sorted(np.concatenate([valid for _, valid in folds]).tolist()) == list(range(12))


def _corpus(word: str, other: str, rows: int) -> tuple[list[str], list[int]]:
    texts = [f"{word} malos {i}" if i % 2 else f"{other} buenos {i}" for i in range(rows)]
    return texts, [i % 2 for i in range(rows)]


def test_the_search_reports_each_left_out_corpus_and_maximises_their_mean():
    texts, y, groups = [], [], []
    for name, word in (("uno", "odio"), ("dos", "asco"), ("tres", "odio")):
        more, labels = _corpus(word, "hola", 40)
        texts += more
        y += labels
        groups += [name] * 40
    features = TfidfVectorizer().fit_transform(texts)
    fit = label_search(features.tocsr(), np.array(y), np.ones(len(y)), ONE, groups=np.array(groups))
    assert fit.chosen["folds"] == "por corpus"
    assert set(fit.chosen["left_out"]) == {"uno", "dos", "tres"}
    # "malos" is in every corpus's positives: a model that never saw a corpus still ranks it.
    assert all(figures["roc_auc"] == 1.0 for figures in fit.chosen["left_out"].values())
    assert fit.chosen["cv_roc_auc"] == 1.0


def test_a_gated_label_is_yes_only_where_its_gate_is_and_its_probability_is_the_product():
    config = text_config_for(language="es")
    texts = [
        *(f"odio a los jotos {i}" for i in range(30)),  # about the group and hostile
        *(f"los jotos bailan bonito {i}" for i in range(30)),  # about the group, not hostile
        *(f"odio los lunes {i}" for i in range(30)),  # hostile, about no group
        *(f"qué bonito día {i}" for i in range(30)),
    ]
    hostile = [1] * 30 + [0] * 30 + [1] * 30 + [0] * 30
    about = [1] * 60 + [0] * 60
    y = np.column_stack([hostile, about])
    model, _ = task_model_fit(
        task="discrimination", labels=["discriminatory", "orientacion"], text=config,
        normalized=[" ".join(t.split()) for t in texts], y=y, weights=np.ones(len(texts)), embedding=None,
        params=ONE, plans={"orientacion": LabelPlan(gate="discriminatory")},
    )
    assert model.gates == {"orientacion": "discriminatory"}
    sample = ["odio a los jotos", "los jotos bailan bonito", "odio los lunes"]
    scores = model_scores(model, sample)
    decided = model_decisions(model, scores)
    assert decided["orientacion"].tolist() == [True, False, False]
    assert (decided["orientacion"] <= decided["discriminatory"]).all()
    assert scores["orientacion"][1] < 0.5 < scores["orientacion"][0]  # about the group, but not hostile: low


def test_a_mixed_fit_is_one_linear_model_whose_decision_is_the_share_weighted_mean_of_both_fits():
    from classifier.engine.features import features_scale
    from classifier.engine.fitting import Candidate, _fit, mixed_fit

    texts = [f"{word} {i}" for i, word in enumerate(["odio", "hola", "asco", "adiós"] * 20)]
    own = np.array([1, 0, 0, 0] * 20)  # only "odio"
    broader = np.array([1, 0, 1, 0] * 20)  # "odio" and "asco": hostile
    features = TfidfVectorizer().fit_transform(texts).tocsr()
    weights = np.ones(len(texts))
    candidate = Candidate("nb", "class_weight", 1.0, mix=0.75)

    mixed, scaling = mixed_fit(features, (own, broader), weights, candidate, ONE)

    assert scaling is None  # the naive-Bayes ratios are folded into the coefficients
    expected = np.zeros(len(texts))
    for target, share in ((own, 0.25), (broader, 0.75)):
        single, ratios = _fit(features, target, weights, Candidate("nb", "class_weight", 1.0), ONE)
        values = single.decision_function(features_scale(features, ratios))
        expected += share * values / np.std(values)
    np.testing.assert_allclose(mixed.decision_function(features), expected, rtol=1e-9, atol=1e-9)
    # "asco" is hostile but not the label itself: the mix ranks it above the neutral words.
    assert mixed.decision_function(features)[2] > mixed.decision_function(features)[1]
