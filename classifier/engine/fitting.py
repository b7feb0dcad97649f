"""Fitting a task model from normalised texts and their labels: the per-label search, calibration, thresholds.

Per label, the search compares candidates made of a feature scaling (plain
TF-IDF, or naive-Bayes log-count ratios), an imbalance treatment (class
weights, or resampling the positives to a fixed ratio, as the original project
did, or nothing) and a regularisation strength C. It is a two-round successive
halving on the training rows: every candidate is scored on the first
cross-validation fold, the best few on all folds. The winner's out-of-fold
decision values fit a sigmoid (Platt scaling), so scores are calibrated
probabilities, and the threshold is the one that maximises F1 on those
out-of-fold probabilities. After a leave-one-corpus-out search the sigmoid
may instead be fitted on every row twice (`SearchParams.calibration`): as a
fit that never saw its corpus scores it, and as stratified folds over all the
corpora score it. The final fit meets both kinds of text: some like a corpus
it learnt from, some like none of them (another platform, other slang).
Either kind alone misleads: a corpus scored by a fit that has seen its kind
ranks better than a left-out one, so a sigmoid fitted on left-out corpora
alone is too timid there; and pooled, left-out corpora may not rank at all,
as each fit places a corpus it never saw at its own offset (INSULT's
insults from OffendES, scored without it, sat below MEX-A3T's calm tweets
scored without MEX-A3T; pooled ROC AUC 0.50), so the sigmoid flattens to the
base rate.

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
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from classifier.engine.blending import BLEND, blend_fit, fits_average
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
    # For a label with an auxiliary target (`LabelPlan.auxiliary`): the shares of the auxiliary fit
    # in the decision value that the search compares (0: the label's own fit alone).
    mixes: tuple[float, ...] = (0.0,)
    # Which out-of-fold decisions the winner's sigmoid and threshold are fitted on: the search's own folds
    # ("search"), or, after a leave-one-corpus-out search, every row as a fit that never saw its corpus
    # scores it (one-class corpora too) and as stratified folds over every corpus score it ("seen_and_unseen").
    calibration: str = "search"


@dataclass(frozen=True, slots=True)
class Candidate:
    scaling: str
    balancing: str
    c: float
    embeddings: bool = False
    mix: float = 0.0  # the auxiliary fit's share of the decision value (`mixed_fit`)

    def describe(self) -> dict[str, Any]:
        described = {"scaling": self.scaling, "balancing": self.balancing, "C": self.c, "embeddings": self.embeddings}
        if self.mix:
            described["auxiliary"] = self.mix
        return described


Fold = tuple[np.ndarray, np.ndarray]  # training rows, validation rows


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
    if candidate.scaling == BLEND:  # the plain and the NB-scaled fits as one classifier (`classifier.engine.blending`)
        return blend_fit(features, lambda scaling: _fit(features, y, weights, dataclasses.replace(candidate, scaling=scaling), params))
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


def mixed_fit(
    features: sparse.csr_matrix, targets: tuple[np.ndarray, np.ndarray], weights: np.ndarray, candidate: Candidate,
    params: SearchParams,
) -> tuple[LogisticRegression, np.ndarray | None]:
    """One classifier whose decision value mixes a fit of the label's own target and a fit of an
    auxiliary one (e.g. hostility of any kind, for `discriminatory`), `candidate.mix` of the latter.

    Each fit's decision values are divided by their spread over the training rows
    first, so the share means what it says. Both fits are linear in the same
    features, so the mix is one linear model: stored as an ordinary logistic
    regression, it scores and explains as any other label does.
    """
    base = dataclasses.replace(candidate, mix=0.0)
    shares = zip(targets, (1.0 - candidate.mix, candidate.mix), strict=True)
    return fits_average(features, [(_fit(features, target, weights, base, params), share) for target, share in shares if share])


def label_folds(y: np.ndarray, params: SearchParams, groups: np.ndarray | None = None) -> tuple[list[Fold], bool]:
    """The cross-validation folds, and whether they leave one group (corpus) out.

    With groups, each group whose rows hold both classes is a fold's validation
    set and the model of that fold never saw it: the search then rewards what
    carries over to a corpus it has not seen, not what memorises one. A group
    with a single class only ever trains. With fewer than two such groups the
    folds are stratified, as without groups.
    """
    if groups is not None:
        scorable = [g for g in np.unique(groups) if len(np.unique(y[groups == g])) == 2]
        if len(scorable) >= 2:
            return [(np.flatnonzero(groups != g), np.flatnonzero(groups == g)) for g in scorable], True
    splitter = StratifiedKFold(n_splits=params.cv_folds, shuffle=True, random_state=params.seed)
    return list(splitter.split(np.zeros(len(y)), y)), False


def label_search(
    features: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray, params: SearchParams, *,
    tfidf_width: int | None = None, groups: np.ndarray | None = None, auxiliary: np.ndarray | None = None,
) -> LabelFit:
    """Choose the label's candidate by cross-validation, calibrate it, fit it on every row.

    Stratified folds use successive halving: every candidate on the first fold,
    the best few on all folds, scored on the pooled out-of-fold values. Folds by
    group (`label_folds`) score every candidate on every left-out group and
    average the groups' figures, so no corpus decides alone. With an embedding
    block (the columns after `tfidf_width`), the best first-round candidates are
    also tried with it, and they compete with the rest for the final round.
    """
    folds, by_group = label_folds(y, params, groups)
    matrices = {True: features, False: features}
    if tfidf_width is not None and tfidf_width < features.shape[1]:
        matrices[False] = features[:, :tfidf_width]
    mixes = params.mixes if auxiliary is not None else (0.0,)
    candidates = [
        Candidate(s, b, c, mix=m) for s in params.scalings for b in params.balancings for c in params.c_grid for m in mixes
    ]
    decisions: dict[Candidate, np.ndarray] = {}
    # Per (candidate without its mix, target, fold): standardised validation decisions, shared by every mix.
    parts: dict[tuple[Candidate, int, int], np.ndarray] = {}

    def part(candidate: Candidate, which: int, train: np.ndarray, valid: np.ndarray) -> np.ndarray:
        key = (dataclasses.replace(candidate, mix=0.0), which, int(valid[0]))
        if key not in parts:
            x = matrices[candidate.embeddings]
            target = y if which == 0 else auxiliary
            assert target is not None
            clf, scaling = _fit(x[train], target[train], weights[train], candidate, params)
            spread = float(np.std(clf.decision_function(features_scale(x[train], scaling)))) or 1.0
            parts[key] = clf.decision_function(features_scale(x[valid], scaling)) / spread
        return parts[key]

    def fold_score(candidate: Candidate, train: np.ndarray, valid: np.ndarray) -> None:
        if auxiliary is None:
            x = matrices[candidate.embeddings]
            clf, scaling = _fit(x[train], y[train], weights[train], candidate, params)
            values = clf.decision_function(features_scale(x[valid], scaling))
        else:
            values = sum(
                (share * part(candidate, which, train, valid) for which, share in enumerate((1.0 - candidate.mix, candidate.mix)) if share),
                np.zeros(len(valid)),
            )
        decisions.setdefault(candidate, np.zeros(len(y)))[valid] = values

    def score(candidate: Candidate, scored: list[Fold]) -> float:
        if by_group or len(scored) == 1:
            return float(np.mean([_selection_score(params.selection, y[v], decisions[candidate][v]) for _, v in scored]))
        covered = np.concatenate([v for _, v in scored])
        return _selection_score(params.selection, y[covered], decisions[candidate][covered])

    first_folds = folds if by_group else folds[:1]
    first_round: dict[Candidate, float] = {}

    def round_one(round_candidates: list[Candidate]) -> None:
        for candidate in round_candidates:
            for train, valid in first_folds:
                fold_score(candidate, train, valid)
            first_round[candidate] = score(candidate, first_folds)

    round_one(candidates)
    if matrices[True] is not matrices[False]:
        best_first = sorted(candidates, key=lambda c: -first_round[c])[: params.finalists]
        round_one([dataclasses.replace(c, embeddings=True) for c in best_first])
    finalists = sorted(first_round, key=lambda c: -first_round[c])[: params.finalists]
    best: tuple[float, Candidate] | None = None
    for candidate in finalists:
        for train, valid in folds[len(first_folds):]:
            fold_score(candidate, train, valid)
        total = score(candidate, folds)
        if best is None or total > best[0]:
            best = (total, candidate)
    assert best is not None
    total, candidate = best
    search_decisions = decisions[candidate].copy()
    covered = np.concatenate([v for _, v in folds])
    values, targets = search_decisions[covered], y[covered]
    both_kinds = by_group and params.calibration == "seen_and_unseen"
    if both_kinds:
        assert groups is not None
        for group in np.unique(groups[np.setdiff1d(np.arange(len(y)), covered)]):  # corpora of one class only
            fold_score(candidate, np.flatnonzero(groups != group), np.flatnonzero(groups == group))
        unseen = decisions[candidate].copy()
        parts.clear()  # keyed by a fold's first row, which a stratified fold may share with a corpus's
        for train, valid in label_folds(y, params)[0]:
            fold_score(candidate, train, valid)
        values, targets = np.concatenate([unseen, decisions[candidate]]), np.concatenate([y, y])
    calibrator = LogisticRegression(C=1e6, solver="lbfgs").fit(values.reshape(-1, 1), targets)
    f1, threshold = f1_best_threshold(targets, calibrator.predict_proba(values.reshape(-1, 1))[:, 1])
    if auxiliary is None:
        classifier, scaling = _fit(matrices[candidate.embeddings], y, weights, candidate, params)
    else:
        classifier, scaling = mixed_fit(matrices[candidate.embeddings], (y, auxiliary), weights, candidate, params)
    chosen = {
        **candidate.describe(), f"cv_{params.selection}": round(total, 4), "cv_f1": round(f1, 4),
        "folds": "por corpus" if by_group else f"{len(folds)} estratificados",
        "calibration": "por corpus y estratificada" if both_kinds else "la de la búsqueda",
        f"first_fold_{params.selection}": {"/".join(map(str, c.describe().values())): round(v, 4) for c, v in first_round.items()},
    }
    if by_group:
        assert groups is not None
        chosen["left_out"] = {
            str(groups[v[0]]): _fold_figures(y[v], calibrator.predict_proba(search_decisions[v].reshape(-1, 1))[:, 1], threshold)
            for _, v in folds
        }
    return LabelFit(classifier=classifier, scaling=scaling, calibrator=calibrator, threshold=threshold, chosen=chosen)


def _fold_figures(y: np.ndarray, probabilities: np.ndarray, threshold: float) -> dict[str, float | int]:
    """A left-out group's figures at the threshold chosen on all groups: ROC AUC and the F1 of both classes."""
    predicted = (probabilities >= threshold).astype(int)
    return {
        "roc_auc": round(float(roc_auc_score(y, probabilities)), 4),
        "f1_both_classes": round(float(f1_score(y, predicted, average="macro", zero_division=0)), 4),
        "rows": int(len(y)), "positives": int(y.sum()),
    }


def _selection_score(selection: str, y: np.ndarray, scores: np.ndarray) -> float:
    if selection == "roc_auc":
        return float(roc_auc_score(y, scores))
    if selection == "pr_auc":
        return float(average_precision_score(y, scores))
    return f1_best_threshold(y, scores)[0]


@dataclass(frozen=True)
class LabelPlan:
    """How one label trains, when it differs from the task's defaults.

    `rows`: the rows it learns from (a boolean mask over the task's rows;
    all by default); `weights` and `groups`: per row of the task (only the
    label's rows are read); `params`: its own search; `gate`: a label it is
    combined with — its probability is this label's times the gate's, and it
    is yes only when the gate is yes too (a category fires on a post that is
    both about the group and hostile); `auxiliary`: a broader 0/1 target per
    row whose fit the search may mix in (`mixed_fit`, `SearchParams.mixes`)."""

    rows: np.ndarray | None = None
    weights: np.ndarray | None = None
    groups: np.ndarray | None = None
    params: SearchParams | None = None
    gate: str | None = None
    auxiliary: np.ndarray | None = None


def task_model_fit(
    *, task: str, labels: list[str], text: TextConfig, normalized: list[str], y: np.ndarray, weights: np.ndarray,
    embedding: EmbeddingBlock | None, params: SearchParams, max_features: int = 200_000, jobs: int = 1,
    plans: dict[str, LabelPlan] | None = None,
) -> tuple[TaskModel, list[LabelFit]]:
    """Fit the TF-IDF vectorisers on the training texts (normalised with `text`), search every label
    (`y`: rows x `labels`; `plans` say how a label differs), and assemble the model; also each
    label's fit, in `labels` order.

    Labels are searched `jobs` at a time, in threads (liblinear releases the GIL)."""
    plans = plans or {}
    vectorizer = features_build(max_features=max_features).fit(normalized)
    features = features_transform(normalized, vectorizer=vectorizer, embedding=embedding)
    width = tfidf_width(vectorizer)

    def search(i: int, label: str) -> LabelFit:
        plan = plans.get(label, LabelPlan())
        rows = np.arange(len(normalized)) if plan.rows is None else np.flatnonzero(plan.rows)
        label_weights = weights if plan.weights is None else plan.weights
        groups = None if plan.groups is None else plan.groups[rows]
        auxiliary = None if plan.auxiliary is None else plan.auxiliary[rows]
        return label_search(
            features[rows], y[rows, i], label_weights[rows], plan.params or params, tfidf_width=width, groups=groups,
            auxiliary=auxiliary,
        )

    fits: list[LabelFit] = Parallel(n_jobs=jobs, prefer="threads")(
        delayed(search)(i, label) for i, label in enumerate(labels)
    )
    fitted = dict(zip(labels, fits, strict=True))
    gates = {label: plan.gate for label, plan in plans.items() if plan.gate and label in fitted and plan.gate in fitted}
    thresholds = {name: fit.threshold for name, fit in fitted.items()}
    for label, gate in gates.items():  # the combined probability is compared with both thresholds' product
        thresholds[label] = fitted[label].threshold * fitted[gate].threshold
    model = TaskModel(
        task=task, labels=list(labels), text=text, vectorizer=vectorizer, embedding=embedding,
        classifiers={name: fit.classifier for name, fit in fitted.items()},
        scalings={name: fit.scaling for name, fit in fitted.items()},
        calibrators={name: fit.calibrator for name, fit in fitted.items()},
        thresholds=thresholds, gates=gates,
    )
    return model, fits
