"""The blend of the plain and the NB-scaled fits: one linear classifier whose decision is their standardised
mean, chosen by the search like any scaling, scored by the fast scorer and saved like any model."""
from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from classifier.artifacts import artifact_dumps, artifact_loads
from classifier.engine.blending import blend_fit
from classifier.engine.features import features_build, features_scale, features_transform, texts_normalize
from classifier.engine.fitting import SearchParams, label_matrix, nb_ratios, task_model_fit
from classifier.engine.scoring import label_probability, model_features, model_scores
from classifier.engine.text import text_config_for
from tests.classifier.engine.test_context import movies

CONFIG = text_config_for(language="en")


def test_the_blend_decides_by_the_mean_of_both_fits_standardised_decisions():
    texts, labels, _ = movies()
    normalized = texts_normalize(texts, config=CONFIG)
    features = features_transform(normalized, vectorizer=features_build().fit(normalized), embedding=None)
    y = label_matrix(labels, ["Western"])[:, 0]
    fits = {}

    def fit_one(scaling: str) -> tuple[LogisticRegression, np.ndarray | None]:
        ratios = nb_ratios(features, y) if scaling == "nb" else None
        fits[scaling] = (LogisticRegression(C=4.0, solver="liblinear").fit(features_scale(features, ratios), y), ratios)
        return fits[scaling]

    blended, scaling = blend_fit(features, fit_one)

    assert scaling is None  # the NB ratios are folded into the coefficients
    decisions = [clf.decision_function(features_scale(features, ratios)) for clf, ratios in fits.values()]
    expected = np.mean([d / d.std() for d in decisions], axis=0)
    np.testing.assert_allclose(blended.decision_function(features), expected, rtol=1e-9, atol=1e-12)
    assert not np.allclose(expected, decisions[0] / decisions[0].std())  # the NB fit changed something


def test_a_blended_model_scores_fast_as_scikit_learn_does_and_survives_saving():
    texts, labels, _ = movies()
    names = ["Sci-Fi", "Western"]
    model, fits = task_model_fit(
        task="movie-genres", labels=names, text=CONFIG, normalized=texts_normalize(texts, config=CONFIG),
        y=label_matrix(labels, names), weights=np.ones(len(texts)), embedding=None,
        params=SearchParams(c_grid=(4.0,), scalings=("blend",), balancings=("none",), cv_folds=3, finalists=1),
    )
    assert [fit.chosen["scaling"] for fit in fits] == ["blend", "blend"]
    unseen = ["the sheriff of a small town", "a robot on the planet", ""]
    fast = model_scores(model, unseen)
    features = model_features(model, texts_normalize(unseen, config=CONFIG))
    for label in names:
        np.testing.assert_allclose(fast[label], label_probability(model, label, features), rtol=1e-10)
    assert fast["Western"][0] > fast["Western"][1] and fast["Sci-Fi"][1] > fast["Sci-Fi"][0]
    loaded = artifact_loads(artifact_dumps(model))
    for label in names:
        np.testing.assert_array_equal(model_scores(loaded, unseen)[label], fast[label])
