"""Train a task: read LabeledText, fit a model (`classifier.engine.fitting`), evaluate it, register it.

The held-out split is the rows marked `dev` when the task's data has them (the
HatEval dev set), otherwise a stratified share of the rows with a fixed seed.
Nothing about the held-out rows reaches training: the search, the calibration
and the thresholds see only the training rows, so the held-out figures are
honest. The Django side decides here which rows train, the task's language,
which word vectors a model starts from, and whether the new version replaces
the active one.
"""
from __future__ import annotations

import logging
import platform
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import sklearn
from sklearn.model_selection import train_test_split

from classifier.artifacts import artifact_load
from classifier.engine.evaluation import labels_evaluate
from classifier.engine.features import texts_normalize
from classifier.engine.fitting import SearchParams, label_matrix, task_model_fit
from classifier.engine.scoring import model_scores
from classifier.engine.text import text_config_for
from classifier.label_sets import DISCRIMINATION, task_labels, task_language
from classifier.models import LabeledText, ModelVersion
from classifier.services.embeddings import embedding_block_build, embedding_latest, embeddings_train
from classifier.services.registry import (
    DEFAULT_TOLERANCE,
    model_version_failed,
    model_version_promote,
    model_version_register,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainParams(SearchParams):
    """The per-label search's parameters (`SearchParams`), and what the training around it uses."""

    min_positives: int = 30
    include_weak: bool = False
    holdout_share: float = 0.2
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


def model_version_train(*, task: str, params: TrainParams | None = None) -> ModelVersion:
    """Train, evaluate on the held-out rows, register the version and promote it if it is not worse."""
    params = params or TrainParams()
    started = time.monotonic()
    data = training_data_load(task=task, params=params)
    candidates = sorted(task_labels(task=task) or {label for row in data.labels for label in row})
    y_all = label_matrix(data.labels, candidates)
    train = ~data.held_out
    positives = y_all[train].sum(axis=0)
    kept = [name for name, n in zip(candidates, positives, strict=True) if n >= params.min_positives]
    skipped = {name: int(n) for name, n in zip(candidates, positives, strict=True) if n < params.min_positives}
    if not kept:
        raise ValueError(f"ninguna etiqueta de {task} tiene {params.min_positives} ejemplos positivos")
    config = text_config_for(language=task_language(task=task), remove_stopwords=params.remove_stopwords)
    train_texts = texts_normalize([t for t, keep in zip(data.texts, train, strict=True) if keep], config=config)
    vectors = embedding_latest(language=config.language) if params.embeddings else None
    embedding = None if vectors is None else embedding_block_build(
        version=vectors, normalized_texts=train_texts, weight=params.embedding_weight)
    model, fits = task_model_fit(
        task=task, labels=kept, text=config, normalized=train_texts,
        y=y_all[train][:, [candidates.index(name) for name in kept]], weights=data.weights[train],
        embedding=embedding, params=params, max_features=params.max_features, jobs=params.jobs,
    )
    held_texts = [t for t, held in zip(data.texts, data.held_out, strict=True) if held]
    y_held = {name: y_all[data.held_out][:, candidates.index(name)] for name in kept}
    metrics = labels_evaluate(y_true=y_held, scores=model_scores(model, held_texts), thresholds=model.thresholds)
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
    shared = {label: y for label, y in y_held.items() if label in model.classifiers}
    scores = {label: s for label, s in model_scores(model, held_texts).items() if label in shared}
    theirs = labels_evaluate(y_true=shared, scores=scores, thresholds=model.thresholds)
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
