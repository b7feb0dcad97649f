"""Two fits of a label made into one linear classifier: the plain TF-IDF fit and the naive-Bayes-scaled one.

The plain logistic regression and NB-LR (Wang & Manning) err on different
texts, and their average ranks better than either (on the movie plots, a rank
average of the two added about 0.005 of macro ROC AUC). Both are linear in
the same features, so an average of their decision values is itself one
linear model: the NB ratios fold into its coefficients ((X·diag(r))·w =
X·(r∘w)). The blend is stored as an ordinary `LogisticRegression` with those
coefficients and no scaling, so scoring, the fast scorer
(`classifier.engine.explain`), explanations and saved models need nothing new.

Each fit's decision values are put on the same footing first (divided by
their spread over the training rows), so neither dominates because its
coefficients happen to be larger: it is the z-score average that stands in
for a rank average. The search (`classifier.engine.fitting`) treats the blend
as one more scaling, `blend`, and keeps it only where cross-validation says
it ranks better.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from classifier.engine.features import features_scale

BLEND = "blend"
# The two scalings a blend averages (`classifier.engine.fitting` knows what they mean).
BLENDED = ("plain", "nb")

Fitted = tuple[LogisticRegression, np.ndarray | None]


def blend_fit(features: sparse.csr_matrix, fit_one: Callable[[str], Fitted]) -> Fitted:
    """One classifier whose decision value is the mean of the plain and the NB-scaled fits' standardised
    decision values on `features` (the training rows); `fit_one(scaling)` fits one of them there."""
    return fits_average(features, [(fit_one(scaling_name), 0.5) for scaling_name in BLENDED])


def fits_average(features: sparse.csr_matrix, shares: list[tuple[Fitted, float]]) -> Fitted:
    """One logistic regression whose decision value is the share-weighted sum of the fits' decision
    values, each divided by its spread over `features` (the training rows) so a share means what it
    says; scalings are folded into the coefficients."""
    coefficients, intercept = np.zeros(features.shape[1]), 0.0
    for (classifier, scaling), share in shares:
        spread = float(np.std(classifier.decision_function(features_scale(features, scaling)))) or 1.0
        coef = classifier.coef_.ravel() if scaling is None else classifier.coef_.ravel() * scaling
        coefficients += share * coef / spread
        intercept += share * float(classifier.intercept_[0]) / spread
    combined = LogisticRegression()
    combined.classes_ = np.array([0, 1])
    combined.coef_ = coefficients.reshape(1, -1)
    combined.intercept_ = np.array([intercept])
    combined.n_features_in_ = features.shape[1]
    combined.n_iter_ = np.array([0], dtype=np.int32)
    return combined, None
