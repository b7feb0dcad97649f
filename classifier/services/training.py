"""Train a task: read LabeledText, fit one classifier per label, tune thresholds, evaluate, register.

The held-out split is the rows marked `dev` when the task's data has them (the
HatEval dev set), otherwise a stratified share of the rows with a fixed seed.
Nothing about the held-out rows reaches training.

Per label, the search compares candidates made of a feature scaling (plain
TF-IDF, or naive-Bayes log-count ratios), an imbalance treatment (class
weights, or resampling the positives to a fixed ratio, as the original project
did, or nothing) and a regularisation strength C. It is a two-round successive
halving on the training rows: every candidate is scored on the first
cross-validation fold, the best few on all folds. The winner's out-of-fold
decision values fit a sigmoid (Platt scaling), so scores are calibrated
probabilities, and the threshold is the one that maximises F1 on those
out-of-fold probabilities. The held-out figures are therefore honest.
"""
from __future__ import annotations

import dataclasses
import logging
import platform
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import sklearn
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from classifier.engine.evaluation import f1_best_threshold, labels_evaluate
from classifier.engine.model import (
    MODEL_FORMAT,
    features_build,
    features_scale,
    features_transform,
    model_scores,
    task_language,
    text_config_for,
    texts_normalize,
    tfidf_width,
)
from classifier.label_sets import DISCRIMINATION, task_labels
from classifier.models import LabeledText, ModelVersion
from classifier.services.embeddings import embedding_block_build, embedding_latest, embeddings_train
from classifier.services.registry import (
    DEFAULT_TOLERANCE,
    artifact_load,
    model_version_failed,
    model_version_promote,
    model_version_register,
)

logger = logging.getLogger(__name__)

SCALINGS = ("plain", "nb")
BALANCINGS = ("class_weight", "resample", "none")


@dataclass(frozen=True)
class TrainParams:
    min_positives: int = 30
    include_weak: bool = False
    holdout_share: float = 0.2
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
    embeddings: bool = True
    embedding_weight: float = 0.5
    remove_stopwords: bool = False
    tolerance: float = DEFAULT_TOLERANCE
    max_features: int = 200_000
    # Labels trained at once (threads; liblinear releases the GIL).
    jobs: int = 2


@dataclass(slots=True)
class TrainingData:
    texts: list[str]
    labels: list[list[str]]
    held_out: np.ndarray  # boolean mask
    weights: np.ndarray
    sources: Counter[str] = field(default_factory=Counter)


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


def training_data_load(*, task: str, params: TrainParams) -> TrainingData:
    rows = LabeledText.objects.filter(task=task)
    if rows.exclude(source=DEMO_SOURCE).exists():  # the synthetic demo texts never mix with real data
        rows = rows.exclude(source=DEMO_SOURCE)
    if not params.include_weak:
        rows = rows.filter(weak=False)
    values = list(rows.order_by("pk").values_list("text", "labels", "source", "split", "weight"))
    if not values:
        raise ValueError(f"no hay textos etiquetados para la tarea {task}")
    texts = [v[0] for v in values]
    labels = [list(v[1]) for v in values]
    splits = np.array([v[3] for v in values])
    if (splits == "dev").any() and (splits != "dev").any():
        held_out = splits == "dev"
    else:
        indices = np.arange(len(values))
        first = [ls[0] if ls else "" for ls in labels]
        strata = first if min(Counter(first).values()) >= 2 else None
        _, test = train_test_split(indices, test_size=params.holdout_share, random_state=params.seed, stratify=strata)
        held_out = np.zeros(len(values), dtype=bool)
        held_out[test] = True
    weights = np.array([1.0 if v[4] is None else float(v[4]) for v in values])
    return TrainingData(texts=texts, labels=labels, held_out=held_out, weights=weights, sources=Counter(v[2] for v in values))


def _label_matrix(labels: list[list[str]], names: list[str]) -> np.ndarray:
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
    features: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray, candidate: Candidate, params: TrainParams
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
    features: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray, params: TrainParams, *, tfidf_width: int | None = None
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


def model_version_train(*, task: str, params: TrainParams | None = None) -> ModelVersion:
    """Train, evaluate on the held-out rows, register the version and promote it if it is not worse."""
    params = params or TrainParams()
    started = time.monotonic()
    data = training_data_load(task=task, params=params)
    candidates = sorted(task_labels(task=task) or {label for row in data.labels for label in row})
    y_all = _label_matrix(data.labels, candidates)
    train = ~data.held_out
    positives = y_all[train].sum(axis=0)
    kept = [name for name, n in zip(candidates, positives, strict=True) if n >= params.min_positives]
    skipped = {name: int(n) for name, n in zip(candidates, positives, strict=True) if n < params.min_positives}
    if not kept:
        raise ValueError(f"ninguna etiqueta de {task} tiene {params.min_positives} ejemplos positivos")
    config = text_config_for(task=task, remove_stopwords=params.remove_stopwords)
    normalized = texts_normalize(data.texts, config=config)
    train_texts = [t for t, keep in zip(normalized, train, strict=True) if keep]
    vectors = embedding_latest(language=task_language(task=task)) if params.embeddings else None
    model: dict[str, Any] = {
        "format": MODEL_FORMAT, "task": task, "labels": kept,
        "text": {"language": config.language, "remove_stopwords": config.remove_stopwords,
                 "lemmatize": config.lemmatize, "fold_accents": config.fold_accents},
        "vectorizer": features_build(max_features=params.max_features).fit(train_texts),
        "embedding": None if vectors is None else embedding_block_build(
            version=vectors, normalized_texts=train_texts, weight=params.embedding_weight),
    }
    x_train = features_transform(model, train_texts)
    width = tfidf_width(model)
    y_train, w_train = y_all[train], data.weights[train]
    fits: list[LabelFit] = Parallel(n_jobs=params.jobs, prefer="threads")(
        delayed(label_search)(x_train, y_train[:, candidates.index(name)], w_train, params, tfidf_width=width)
        for name in kept
    )
    model.update({
        "classifiers": {name: fit.classifier for name, fit in zip(kept, fits, strict=True)},
        "scalings": {name: fit.scaling for name, fit in zip(kept, fits, strict=True)},
        "calibrators": {name: fit.calibrator for name, fit in zip(kept, fits, strict=True)},
        "thresholds": {name: fit.threshold for name, fit in zip(kept, fits, strict=True)},
    })
    held_texts = [t for t, held in zip(data.texts, data.held_out, strict=True) if held]
    y_held = {name: y_all[data.held_out][:, candidates.index(name)] for name in kept}
    metrics = labels_evaluate(y_true=y_held, scores=model_scores(model, held_texts), thresholds=model["thresholds"])
    metrics.update(_comparison(task=task, held_texts=held_texts, y_held=y_held))
    metrics.update({
        "skipped_labels": skipped, "training_rows": int(train.sum()), "held_out_rows": int(data.held_out.sum()),
        "rows_per_source": dict(data.sources), "train_seconds": round(time.monotonic() - started, 1),
        "embedding_version": None if vectors is None else vectors.version,
        "chosen": _chosen_summary([fit.chosen for fit in fits]),
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__},
    })
    version = model_version_register(
        task=task, model=model, metrics=metrics,
        params={**_params_dict(params), "per_label": {name: fit.chosen for name, fit in zip(kept, fits, strict=True)}},
    )
    return model_version_promote(candidate=version, tolerance=params.tolerance)


def _chosen_summary(chosen: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """How many labels each scaling, balancing and C won (the resampling-versus-weights comparison)."""
    return {key: dict(Counter(str(c[key]) for c in chosen)) for key in ("scaling", "balancing", "C", "embeddings")}


def _comparison(*, task: str, held_texts: list[str], y_held: dict[str, np.ndarray]) -> dict[str, Any]:
    """The active version's macro F1 on the same held-out rows and labels, for the promotion rule."""
    active = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).first()
    if active is None:
        return {}
    model = artifact_load(path=active.artifact_path, sha256=active.artifact_sha256)
    shared = {label: y for label, y in y_held.items() if label in model["classifiers"]}
    scores = {label: s for label, s in model_scores(model, held_texts).items() if label in shared}
    theirs = labels_evaluate(y_true=shared, scores=scores, thresholds=model["thresholds"])
    return {"active_version": active.version, "active_macro_f1": theirs["macro_f1"]}


def _params_dict(params: TrainParams) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(params).items()}


def tasks_retrain(*, params: TrainParams | None = None) -> dict[str, str]:
    """Rebuild the word vectors of every language in use, then retrain every task with labelled data.

    A task that fails gets a `failed` version with the error as its reason,
    visible in the admin; its active version keeps serving. Vectors that fail
    to build are logged and the tasks train with the previous ones.
    """
    params = params or TrainParams()
    tasks = list(LabeledText.objects.values_list("task", flat=True).distinct().order_by("task"))
    outcome: dict[str, str] = {}
    if params.embeddings:
        for language in sorted({task_language(task=task) for task in tasks}):
            try:
                vectors = embeddings_train(language=language)
                outcome[f"embeddings:{language}"] = f"v{vectors.version}"
            except Exception as error:  # the previous vectors (or none) serve this round
                logger.exception("word vectors for %s failed", language)
                outcome[f"embeddings:{language}"] = f"failed: {error}"
    for task in tasks:
        try:
            version = model_version_train(task=task, params=params)
            outcome[task] = f"v{version.version} {version.status}"
        except Exception as error:  # recorded for the admin; the other tasks still train
            failed = model_version_failed(task=task, reason=f"{type(error).__name__}: {error}")
            outcome[task] = f"v{failed.version} failed"
    return outcome


# The demo model's search: one candidate per label, no word vectors; it trains in seconds.
DEMO_PARAMS = TrainParams(
    c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, min_positives=10, embeddings=False
)
DEMO_SOURCE = "demo"


def demo_model_ensure() -> ModelVersion | None:
    """In the embedded demo, a discrimination model learned from the demo corpus's own judgements,
    so the API and the dashboard answer out of the box. Nothing happens once any model exists
    or real labelled data is there; a model trained later from real data replaces it."""
    from ingestion.sources.replay import demo_corpus

    rows = LabeledText.objects.filter(task=DISCRIMINATION)
    if ModelVersion.objects.filter(task=DISCRIMINATION).exists() or rows.exclude(source=DEMO_SOURCE).exists():
        return None
    for item in demo_corpus():
        labels = (["discriminatory"] if item["discriminatory"] else []) + item["categories"]
        LabeledText.objects.update_or_create(
            task=DISCRIMINATION, source=DEMO_SOURCE, external_id=item["id"],
            defaults={"text": item["text"], "labels": labels, "extra": {"synthetic": True}},
        )
    return model_version_train(task=DISCRIMINATION, params=DEMO_PARAMS)
