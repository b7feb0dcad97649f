"""Scoring a task model: each label's calibrated probability, its yes/no, and the words that pushed it.

Texts are normalised with the model's own text configuration. Scoring and
explaining go through `classifier.engine.explain`, which computes the same
features as the scikit-learn vectorisers without their per-call overhead; a
model whose features it does not reproduce scores the long way, through
`classifier.engine.features`. What scoring compiles from a model is built once
and kept as long as the model lives.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from classifier.engine.explain import Explanation, Scorer, scorer_supported
from classifier.engine.features import features_scale, features_transform, tfidf_width
from classifier.engine.model import TaskModel
from classifier.engine.text import text_tokenize, tokens_with_context


@dataclass(frozen=True, slots=True)
class _Compiled:
    weights: np.ndarray  # features x labels, naive-Bayes scaling folded in
    intercepts: np.ndarray
    scorer: Scorer | None


# Per model, while it lives. A `_Compiled` holds no reference to its model, or the model would never go.
_compiled: weakref.WeakKeyDictionary[TaskModel, _Compiled] = weakref.WeakKeyDictionary()
_compile_lock = threading.Lock()


def model_features(model: TaskModel, normalized: list[str]) -> sparse.csr_matrix:
    """The feature matrix a model's classifiers read, from normalised texts."""
    return features_transform(normalized, vectorizer=model.vectorizer, embedding=model.embedding)


def label_probability(model: TaskModel, label: str, features: sparse.csr_matrix) -> np.ndarray:
    """One label's probabilities, the long way (`model_scores` does all labels at once)."""
    classifier = model.classifiers[label]
    # A label trained without the embedding block reads only the TF-IDF columns, which come first.
    features = features[:, : classifier.coef_.shape[1]]
    decision = classifier.decision_function(features_scale(features, model.scalings[label]))
    return model.calibrators[label].predict_proba(decision.reshape(-1, 1))[:, 1]


def _label_weights(model: TaskModel) -> tuple[np.ndarray, np.ndarray]:
    """Every label's coefficients as one matrix (features x labels), naive-Bayes scaling folded in:
    (X·diag(r))·w = X·(r∘w), so one sparse product scores every label. A label trained
    without the embedding block gets zeros for those columns."""
    columns, intercepts = [], []
    width = tfidf_width(model.vectorizer)
    if model.embedding is not None:
        width += model.embedding.vectors.shape[1]
    for label in model.labels:
        coef = model.classifiers[label].coef_.ravel()
        scaling = model.scalings[label]
        column = np.zeros(width)
        column[: len(coef)] = coef if scaling is None else coef * scaling
        columns.append(column)
        intercepts.append(float(model.classifiers[label].intercept_[0]))
    return np.column_stack(columns), np.array(intercepts)


def _compile(model: TaskModel) -> _Compiled:
    """The model's weights and its fast scorer, built once (under a lock: threads serve the same model)."""
    compiled = _compiled.get(model)
    if compiled is None:
        with _compile_lock:
            compiled = _compiled.get(model)
            if compiled is None:
                weights, intercepts = _label_weights(model)
                scorer = Scorer(model, weights, intercepts) if scorer_supported(model) else None
                compiled = _compiled[model] = _Compiled(weights=weights, intercepts=intercepts, scorer=scorer)
    return compiled


def model_scorer(model: TaskModel) -> Scorer | None:
    """The model compiled for fast scoring and explaining; None for features `classifier.engine.explain`
    does not reproduce (they score the long way)."""
    return _compile(model).scorer


def model_scores(
    model: TaskModel, texts: Sequence[str], *, contexts: Sequence[Sequence[str]] | None = None
) -> dict[str, np.ndarray]:
    """Probability of each label for each text (after each text's tokens, its `contexts` tokens if given)."""
    return model_scores_explained(model, texts, label=None, contexts=contexts)[0]


def model_scores_explained(
    model: TaskModel, texts: Sequence[str], *, label: str | None, top: int = 8,
    contexts: Sequence[Sequence[str]] | None = None,
) -> tuple[dict[str, np.ndarray], list[Explanation]]:
    """`model_scores`, and per text the (up to `top`) words that pushed `label`'s decision value most:
    (word, contribution in log-odds before calibration), largest |contribution| first, positive towards
    the label. All words' contributions plus the intercept add up to the decision value
    (`classifier.engine.explain` says how features are shared among words). Without a label, empty lists."""
    compiled = _compile(model)
    # The tokens of the normalised text (`text_normalize` joins them with spaces; the scorer wants them split).
    tokens = [text_tokenize(text, config=model.text) for text in texts]
    if contexts is not None:  # per text, tokens its text does not hold (`tokens_with_context`); they score as words
        tokens = [tokens_with_context(words, context) for words, context in zip(tokens, contexts, strict=True)]
    if compiled.scorer is None:
        if label is not None:
            raise ValueError("this model's features cannot be explained (they are not features_build's)")
        return _gated(model, _scores_sparse(model, compiled, [" ".join(words) for words in tokens])), [[] for _ in texts]
    decisions, explanations = compiled.scorer.score(tokens, label=label, top=top)
    probabilities = compiled.scorer.probabilities(decisions)
    return _gated(model, dict(zip(model.labels, probabilities, strict=True))), explanations


def model_token_scores(model: TaskModel, token_lists: Sequence[list[str]]) -> dict[str, np.ndarray]:
    """`model_scores` of texts already tokenised (`text_tokenize`'s tokens, or a run of them: a span's words)."""
    scorer = _compile(model).scorer
    if scorer is None:
        raise ValueError("this model's features cannot be explained (they are not features_build's)")
    return _gated(model, dict(zip(model.labels, scorer.probabilities(scorer.score(token_lists)[0]), strict=True)))


def _gated(model: TaskModel, scores: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A gated label's probability times its gate's (its own alone says only who the text is about)."""
    if not model.gates:
        return scores
    gated = dict(scores)
    for label, gate in model.gates.items():
        gated[label] = scores[label] * scores[gate]
    return gated


def _scores_sparse(model: TaskModel, compiled: _Compiled, normalized: list[str]) -> dict[str, np.ndarray]:
    """Every label's probabilities through scikit-learn's vectorisers and calibrators."""
    decisions = np.asarray(model_features(model, normalized) @ compiled.weights) + compiled.intercepts
    return {
        name: model.calibrators[name].predict_proba(decisions[:, [i]])[:, 1]
        for i, name in enumerate(model.labels)
    }


def model_decisions(
    model: TaskModel, scores: dict[str, np.ndarray], thresholds: dict[str, float] | None = None
) -> dict[str, np.ndarray]:
    """Each label's yes/no at its tuned threshold (or the caller's); a gated label only where its gate is yes."""
    cutoffs = {**model.thresholds, **(thresholds or {})}
    decided = {label: values >= cutoffs[label] for label, values in scores.items()}
    for label, gate in model.gates.items():
        if label in decided and gate in decided:
            decided[label] = decided[label] & decided[gate]
    return decided
