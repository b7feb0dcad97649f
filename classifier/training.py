"""Train a task: read LabeledText, fit one classifier per label, tune thresholds, evaluate, register.

The held-out split is the rows marked `dev` when the task's data has them (the
HatEval dev set), otherwise a stratified share of the rows with a fixed seed.
Hyper-parameters (C and class weighting) are chosen per label by
cross-validation on the training rows only, and each label's decision
threshold is the one that maximises F1 on those out-of-fold predictions, so
the held-out figures are honest.
"""
from __future__ import annotations

import platform
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

from . import services
from .engine import MODEL_FORMAT, features_build, model_scores, text_config_for, texts_normalize
from .evaluation import f1_best_threshold, labels_evaluate
from .models import LabeledText, ModelVersion
from .registry import artifact_load
from .task_definitions import task_labels


@dataclass(frozen=True)
class TrainParams:
    min_positives: int = 30
    include_weak: bool = False
    holdout_share: float = 0.2
    seed: int = 42
    c_grid: tuple[float, ...] = (1.0, 4.0, 16.0)
    class_weights: tuple[str | None, ...] = ("balanced", None)
    cv_folds: int = 3
    tolerance: float = services.DEFAULT_TOLERANCE
    max_features: int = 200_000


@dataclass(slots=True)
class TrainingData:
    texts: list[str]
    labels: list[list[str]]
    held_out: np.ndarray  # boolean mask
    sources: Counter[str] = field(default_factory=Counter)


def training_data_load(*, task: str, params: TrainParams) -> TrainingData:
    rows = LabeledText.objects.filter(task=task)
    if not params.include_weak:
        rows = rows.filter(weak=False)
    values = list(rows.order_by("pk").values_list("text", "labels", "source", "split"))
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
    return TrainingData(texts=texts, labels=labels, held_out=held_out, sources=Counter(v[2] for v in values))


def _label_matrix(labels: list[list[str]], names: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(labels), len(names)), dtype=np.int8)
    for row, row_labels in enumerate(labels):
        for label in row_labels:
            if label in index:
                matrix[row, index[label]] = 1
    return matrix


def _label_fit(features: Any, y: np.ndarray, params: TrainParams) -> tuple[LogisticRegression, float, dict[str, Any]]:
    """Pick C and class weighting by out-of-fold F1, then fit on all training rows."""
    folds = StratifiedKFold(n_splits=params.cv_folds, shuffle=True, random_state=params.seed)
    best: tuple[float, float, float, str | None] = (-1.0, 0.5, 1.0, None)
    for weight in params.class_weights:
        for c in params.c_grid:
            clf = LogisticRegression(C=c, class_weight=weight, max_iter=2000, solver="liblinear")
            oof = cross_val_predict(clf, features, y, cv=folds, method="predict_proba")[:, 1]
            f1, threshold = f1_best_threshold(y, oof)
            if f1 > best[0]:
                best = (f1, threshold, c, weight)
    f1, threshold, c, weight = best
    clf = LogisticRegression(C=c, class_weight=weight, max_iter=2000, solver="liblinear").fit(features, y)
    return clf, threshold, {"C": c, "class_weight": weight, "cv_f1": round(f1, 4)}


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
    config = text_config_for(task=task)
    normalized = texts_normalize(data.texts, config=config)
    vectorizer = features_build(max_features=params.max_features)
    x_train = vectorizer.fit_transform([t for t, keep in zip(normalized, train, strict=True) if keep])
    classifiers, thresholds, chosen = {}, {}, {}
    for name in kept:
        y = y_all[train][:, candidates.index(name)]
        classifiers[name], thresholds[name], chosen[name] = _label_fit(x_train, y, params)
    model = {
        "format": MODEL_FORMAT, "task": task, "labels": kept, "thresholds": thresholds,
        "text": {"language": config.language, "remove_stopwords": config.remove_stopwords,
                 "lemmatize": config.lemmatize, "fold_accents": config.fold_accents},
        "vectorizer": vectorizer, "classifiers": classifiers,
    }
    held_texts = [t for t, held in zip(data.texts, data.held_out, strict=True) if held]
    y_held = {name: y_all[data.held_out][:, candidates.index(name)] for name in kept}
    metrics = labels_evaluate(y_true=y_held, scores=model_scores(model, held_texts), thresholds=thresholds)
    metrics.update(_comparison(task=task, held_texts=held_texts, y_held=y_held))
    metrics.update({
        "skipped_labels": skipped, "training_rows": int(train.sum()), "held_out_rows": int(data.held_out.sum()),
        "rows_per_source": dict(data.sources), "train_seconds": round(time.monotonic() - started, 1),
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__},
    })
    version = services.model_version_register(
        task=task, model=model, metrics=metrics, params={**_params_dict(params), "per_label": chosen}
    )
    return services.model_version_promote(candidate=version, tolerance=params.tolerance)


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
    """Retrain every task with labelled data. A task that fails gets a `failed` version
    with the error as its reason, visible in the admin; its active version keeps serving."""
    outcome: dict[str, str] = {}
    for task in LabeledText.objects.values_list("task", flat=True).distinct().order_by("task"):
        try:
            version = model_version_train(task=task, params=params)
            outcome[task] = f"v{version.version} {version.status}"
        except Exception as error:  # recorded for the admin; the other tasks still train
            failed = services.model_version_failed(task=task, reason=f"{type(error).__name__}: {error}")
            outcome[task] = f"v{failed.version} failed"
    return outcome
