"""Fitting a task model from normalised texts and their labels: the per-label search, calibration, thresholds.

Per label, the search compares candidates made of a feature scaling (plain
TF-IDF, or naive-Bayes log-count ratios), an imbalance treatment (class
weights, or resampling the positives to a fixed ratio, as the original project
did, or nothing) and a regularisation strength C. It is a two-round successive
halving on the training rows: every candidate is scored on the first
cross-validation fold, the best few on all folds. The winner's out-of-fold
decision values fit a sigmoid (Platt scaling), so scores are calibrated
probabilities, and the threshold is the one that maximises F1 on those
out-of-fold probabilities.

Which rows train, which word vectors a model gets and what happens to the
result is the Django side's business (`classifier.services.training`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from classifier.engine.evaluation import f1_best_threshold
from classifier.engine.features import features_build, features_scale, features_transform, tfidf_width
from classifier.engine.model import TaskModel
from classifier.engine.text import TextConfig
from classifier.engine.vectors import EmbeddingBlock

SCALINGS = ("plain", "nb")
BALANCINGS = ("class_weight", "resample", "none")


@dataclass(frozen=True)
class SearchParams:
    """What the per-label search compares, and how."""

    seed: int = 42
    c_grid: tuple[float, ...] = (1.0, 4.0)
    scalings: tuple[str, ...] = SCALINGS
    balancings: tuple[str, ...] = BALANCINGS
    # Positives are resampled (with replacement) to this share of the negatives.
    resample_ratio: float = 1.0
    cv_folds: int = 3
    # Candidates that go on from the first fold to the full cross-validation.
    finalists: int = 3
    # What the search maximises on out-of-fold scores: "roc_auc", "pr_auc" or "f1" (at the best threshold).
    selection: str = "roc_auc"


@dataclass(frozen=True, slots=True)
class Candidate:
    scaling: str
    balancing: str
    c: float
    embeddings: bool = False

    def describe(self) -> dict[str, Any]:
        return {"scaling": self.scaling, "balancing": self.balancing, "C": self.c, "embeddings": self.embeddings}


@dataclass(slots=True)
class LabelFit:
    classifier: LogisticRegression
    scaling: np.ndarray | None
    calibrator: LogisticRegression
    threshold: float
    chosen: dict[str, Any]


def label_matrix(labels: list[list[str]], names: list[str]) -> np.ndarray:
    """Rows x `names`: 1 where the row has the label."""
    index = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(labels), len(names)), dtype=np.int8)
    for row, row_labels in enumerate(labels):
        for label in row_labels:
            if label in index:
                matrix[row, index[label]] = 1
    return matrix


def nb_ratios(features: sparse.csr_matrix, y: np.ndarray) -> np.ndarray:
    """Log of how much more often each feature occurs in positives than in negatives (add-one smoothed)."""
    present = (features != 0).astype(np.float64)
    positives = np.asarray(present[y == 1].sum(axis=0)).ravel() + 1.0
    negatives = np.asarray(present[y == 0].sum(axis=0)).ravel() + 1.0
    return np.log((positives / positives.sum()) / (negatives / negatives.sum()))


def resampled_rows(y: np.ndarray, *, ratio: float, seed: int) -> np.ndarray:
    """Row indices with positives drawn again at random until they are `ratio` times the negatives."""
    positives, negatives = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    missing = int(ratio * len(negatives)) - len(positives)
    if missing <= 0 or len(positives) == 0:
        return np.arange(len(y))
    extra = np.random.default_rng(seed).choice(positives, size=missing, replace=True)
    return np.concatenate([np.arange(len(y)), extra])


def _fit(
    features: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray, candidate: Candidate, params: SearchParams
) -> tuple[LogisticRegression, np.ndarray | None]:
    scaling = nb_ratios(features, y) if candidate.scaling == "nb" else None
    x = features_scale(features, scaling)
    if candidate.balancing == "resample":
        rows = resampled_rows(y, ratio=params.resample_ratio, seed=params.seed)
        x, y, weights = x[rows], y[rows], weights[rows]
    clf = LogisticRegression(
        C=candidate.c, class_weight="balanced" if candidate.balancing == "class_weight" else None,
        solver="liblinear", max_iter=2000,
    )
    return clf.fit(x, y, sample_weight=weights), scaling


def label_search(
    features: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray, params: SearchParams, *, tfidf_width: int | None = None
) -> LabelFit:
    """Choose the label's candidate by cross-validation (successive halving), calibrate it, fit it on every row.

    With an embedding block (the columns after `tfidf_width`), the best first-round
    candidates are also tried with it, and they compete with the rest for the final round.
    """
    folds = list(StratifiedKFold(n_splits=params.cv_folds, shuffle=True, random_state=params.seed).split(np.zeros(len(y)), y))
    matrices = {True: features, False: features}
    if tfidf_width is not None and tfidf_width < features.shape[1]:
        matrices[False] = features[:, :tfidf_width]
    candidates = [Candidate(s, b, c) for s in params.scalings for b in params.balancings for c in params.c_grid]
    decisions: dict[Candidate, np.ndarray] = {}

    def fold_score(candidate: Candidate, train: np.ndarray, valid: np.ndarray) -> None:
        x = matrices[candidate.embeddings]
        clf, scaling = _fit(x[train], y[train], weights[train], candidate, params)
        decisions.setdefault(candidate, np.zeros(len(y)))[valid] = clf.decision_function(features_scale(x[valid], scaling))

    first_valid = folds[0][1]
    first_fold = {}

    def first_round(round_candidates: list[Candidate]) -> None:
        for candidate in round_candidates:
            fold_score(candidate, *folds[0])
            first_fold[candidate] = _selection_score(params.selection, y[first_valid], decisions[candidate][first_valid])

    first_round(candidates)
    if matrices[True] is not matrices[False]:
        best_first = sorted(candidates, key=lambda c: -first_fold[c])[: params.finalists]
        first_round([dataclasses.replace(c, embeddings=True) for c in best_first])
    finalists = sorted(first_fold, key=lambda c: -first_fold[c])[: params.finalists]
    best: tuple[float, Candidate] | None = None
    for candidate in finalists:
        for train, valid in folds[1:]:
            fold_score(candidate, train, valid)
        score = _selection_score(params.selection, y, decisions[candidate])
        if best is None or score > best[0]:
            best = (score, candidate)
    assert best is not None
    score, candidate = best
    values = decisions[candidate].reshape(-1, 1)
    calibrator = LogisticRegression(C=1e6, solver="lbfgs").fit(values, y)
    f1, threshold = f1_best_threshold(y, calibrator.predict_proba(values)[:, 1])
    classifier, scaling = _fit(matrices[candidate.embeddings], y, weights, candidate, params)
    chosen = {
        **candidate.describe(), f"cv_{params.selection}": round(score, 4), "cv_f1": round(f1, 4),
        f"first_fold_{params.selection}": {"/".join(map(str, c.describe().values())): round(v, 4) for c, v in first_fold.items()},
    }
    return LabelFit(classifier=classifier, scaling=scaling, calibrator=calibrator, threshold=threshold, chosen=chosen)


def _selection_score(selection: str, y: np.ndarray, scores: np.ndarray) -> float:
    if selection == "roc_auc":
        return float(roc_auc_score(y, scores))
    if selection == "pr_auc":
        return float(average_precision_score(y, scores))
    return f1_best_threshold(y, scores)[0]


def task_model_fit(
    *, task: str, labels: list[str], text: TextConfig, normalized: list[str], y: np.ndarray, weights: np.ndarray,
    embedding: EmbeddingBlock | None, params: SearchParams, max_features: int = 200_000, jobs: int = 1,
) -> tuple[TaskModel, list[LabelFit]]:
    """Fit the TF-IDF vectorisers on the training texts (normalised with `text`), search every label
    (`y`: rows x `labels`), and assemble the model; also each label's fit, in `labels` order.

    Labels are searched `jobs` at a time, in threads (liblinear releases the GIL)."""
    vectorizer = features_build(max_features=max_features).fit(normalized)
    features = features_transform(normalized, vectorizer=vectorizer, embedding=embedding)
    width = tfidf_width(vectorizer)
    fits: list[LabelFit] = Parallel(n_jobs=jobs, prefer="threads")(
        delayed(label_search)(features, y[:, i], weights, params, tfidf_width=width) for i in range(len(labels))
    )
    fitted = dict(zip(labels, fits, strict=True))
    model = TaskModel(
        task=task, labels=list(labels), text=text, vectorizer=vectorizer, embedding=embedding,
        classifiers={name: fit.classifier for name, fit in fitted.items()},
        scalings={name: fit.scaling for name, fit in fitted.items()},
        calibrators={name: fit.calibrator for name, fit in fitted.items()},
        thresholds={name: fit.threshold for name, fit in fitted.items()},
    )
    return model, fits
