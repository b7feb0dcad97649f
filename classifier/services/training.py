"""Train a task: read LabeledText, fit a model (`classifier.engine.fitting`), evaluate it, register it.

The held-out split is the rows marked `dev` when the task's data has them (the
HatEval, MEX-A3T and OffendES dev sets), otherwise a stratified share of the
rows with a fixed seed.

How each label learns (`label_plans`):

* a label learnt from several corpora (`discriminatory` from HatEval, EXIST,
  MEX-A3T, OffendES, DETOXIS, annotators…) is chosen leave-one-corpus-out:
  each corpus in turn is scored by a model that never saw it, and the search
  maximises the mean of those figures (`classifier.engine.fitting.label_folds`);
  every corpus weighs in by the rule of `corpus_weights`, so a large one
  does not drown the others;
* a category of the discrimination task says who a text is about: it learns
  from every row, weak ones included (the original project's tweets found by
  a category's terms), plus the rows holding a term of the category, active
  or only suggested (HurtLex), and it is gated by `discriminatory`, so it
  fires only on a text that is both about the group and hostile.

Nothing about the held-out rows reaches training: the search, the calibration
and the thresholds see only the training rows, so the held-out figures are
honest. The Django side decides here which rows train, the task's language,
which word vectors a model starts from, and whether the new version replaces
the active one.
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
from sklearn.model_selection import train_test_split

from classifier.artifacts import artifact_load
from classifier.contexts import contexts_select, contexts_tokens
from classifier.engine.evaluation import labels_evaluate, sources_evaluate
from classifier.engine.features import texts_normalize
from classifier.engine.fitting import LabelPlan, SearchParams, label_matrix, task_model_fit
from classifier.engine.model import TaskModel
from classifier.engine.scoring import model_decisions, model_scores
from classifier.engine.text import text_config_for
from classifier.importers import hostility_of
from classifier.label_sets import DISCRIMINATION, DISCRIMINATORY, TOXICITY, task_labels, task_language
from classifier.models import LabeledText, ModelVersion
from classifier.services.embeddings import embedding_block_build, embedding_latest, embeddings_train
from classifier.services.registry import (
    DEFAULT_TOLERANCE,
    model_version_failed,
    model_version_promote,
    model_version_register,
)
from classifier.toxicity import DEMO_SOURCE, attributes_informed
from classifier.training_settings import task_training_settings
from ingestion.matching import DictionaryTerm, Matcher
from ingestion.selectors.dictionary import category_lexicon

logger = logging.getLogger(__name__)


# The search of a label learnt from several corpora (leave-one-corpus-out folds make every candidate
# cost a fit per corpus): plain or naive-Bayes-scaled features, and how much of the hostility fit
# to mix in (`classifier.engine.fitting.mixed_fit`).
CROSS_CORPUS_PARAMS = SearchParams(
    c_grid=(1.0,), scalings=("plain", "nb"), balancings=("class_weight",), mixes=(0.0, 0.5, 0.75, 1.0), finalists=2,
)

# A category's search: one candidate (it learns who a text is about from many weak rows; the
# search's choices are worth little there and cost minutes).
CATEGORY_PARAMS = SearchParams(c_grid=(1.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3)


@dataclass(frozen=True)
class TrainParams(SearchParams):
    """The per-label search's parameters (`SearchParams`), and what the training around it uses."""

    min_positives: int = 30
    # Corpora (sources) that must give a label training positives for it to be offered.
    min_corpora: int = 1
    include_weak: bool = False
    holdout_share: float = 0.2
    # Hold out `holdout_share` of every corpus without a dev split of its own (else: the dev rows, when any).
    holdout_per_source: bool = False
    embeddings: bool = True
    embedding_weight: float = 0.5
    remove_stopwords: bool = False
    tolerance: float = DEFAULT_TOLERANCE
    max_features: int = 200_000
    # Labels trained at once (threads; liblinear releases the GIL).
    jobs: int = 2
    # Categories learn from weak rows and dictionary/lexicon matches too (see the module docstring).
    category_weak: bool = True
    # Corpora (LabeledText sources) left out, e.g. to measure how the model does on one it never saw.
    exclude_sources: tuple[str, ...] = ()
    # Only these labels (all of the task's when empty).
    labels: tuple[str, ...] = ()
    # The search of a label whose rows come from two or more corpora that each hold both classes.
    cross_corpus: SearchParams = CROSS_CORPUS_PARAMS




@dataclass(slots=True)
class TrainingData:
    texts: list[str]
    labels: list[list[str]]
    held_out: np.ndarray  # boolean mask
    weights: np.ndarray
    sources: Counter[str] = field(default_factory=Counter)
    row_sources: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    weak: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    hostile: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))  # `hostility_of` per row
    contexts: list[list[str]] | None = None  # per row, what its `extra` adds to its tokens (`classifier.contexts`)
    # Per label, the rows that judged it (`classifier.toxicity`); every row judges every label when None.
    informed: dict[str, np.ndarray] | None = None


def training_data_load(*, task: str, params: TrainParams) -> TrainingData:
    """The task's labelled rows (weak ones too when a category may learn from them), which are held out,
    and each row's weight and corpus."""
    # The toxicity task reads the corpora imported under discrimination through its mapping, and its own rows.
    tasks = (DISCRIMINATION, TOXICITY) if task == TOXICITY else (task,)
    rows = LabeledText.objects.filter(task__in=tasks)
    if rows.exclude(source=DEMO_SOURCE).exists():  # the synthetic demo texts never mix with real data
        rows = rows.exclude(source=DEMO_SOURCE)
    if not (params.include_weak or (params.category_weak and task == DISCRIMINATION)) or task == TOXICITY:
        rows = rows.filter(weak=False)
    if params.exclude_sources:
        rows = rows.exclude(source__in=params.exclude_sources)
    values = list(rows.order_by("pk").values_list("text", "labels", "source", "split", "weight", "weak", "extra", "task"))
    informed = None
    if task == TOXICITY:
        values, informed = _attributes_read(values)
    if not values:
        raise ValueError(f"no hay textos etiquetados para la tarea {task}")
    texts = [v[0] for v in values]
    labels = [list(v[1]) for v in values]
    splits = np.array([v[3] for v in values])
    row_sources = np.array([v[2] for v in values], dtype=object)
    if params.holdout_per_source:
        held_out = _held_out_per_source(splits=splits, sources=row_sources, labels=labels, params=params)
    elif (splits == "dev").any() and (splits != "dev").any():
        held_out = splits == "dev"
    else:
        held_out = _held_out_share(labels=labels, params=params)
    weights = np.array([1.0 if v[4] is None else float(v[4]) for v in values])
    return TrainingData(
        texts=texts, labels=labels, held_out=held_out, weights=weights, sources=Counter(v[2] for v in values),
        row_sources=row_sources, weak=np.array([v[5] for v in values], dtype=bool),
        contexts=contexts_tokens(task=task, contexts=[v[6] for v in values]),
        hostile=np.array([hostility_of(labels=list(v[1]), extra=v[6] or {}) for v in values], dtype=np.int8),
        informed=informed,
    )


def _attributes_read(values: list[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], dict[str, np.ndarray]]:
    """The rows that inform at least one attribute (`classifier.toxicity`), each with its positive attributes
    as labels, and per attribute the rows that judged it."""
    kept, judged = [], []
    for text, labels, source, split, weight, weak, extra, task in values:
        found = attributes_informed(task=task, source=source, labels=list(labels), extra=extra or {}, weak=weak)
        if found:
            kept.append((text, sorted(name for name, value in found.items() if value), source, split, weight, weak, extra, task))
            judged.append(found)
    names = sorted({name for found in judged for name in found})
    return kept, {name: np.array([name in found for found in judged], dtype=bool) for name in names}


def _held_out_share(*, labels: list[list[str]], params: TrainParams) -> np.ndarray:
    """A stratified `holdout_share` of the rows (by their first label), with the params' seed."""
    indices = np.arange(len(labels))
    first = [ls[0] if ls else "" for ls in labels]
    strata = first if min(Counter(first).values()) >= 2 else None
    _, test = train_test_split(indices, test_size=params.holdout_share, random_state=params.seed, stratify=strata)
    held_out = np.zeros(len(labels), dtype=bool)
    held_out[test] = True
    return held_out


def _held_out_per_source(*, splits: np.ndarray, sources: np.ndarray, labels: list[list[str]], params: TrainParams) -> np.ndarray:
    """Each corpus's dev rows, or, for a corpus whose dev rows are fewer than half `holdout_share` of its rows
    (none, or OffendES's 100 of 16,810), a stratified `holdout_share` of its rows: every corpus is measured."""
    held_out = splits == "dev"
    for source in np.unique(sources.astype(str)):
        mine = sources == source
        if held_out[mine].mean() >= params.holdout_share / 2 or mine.sum() < 10:
            continue
        candidates = np.flatnonzero(mine & ~held_out)
        chosen = _held_out_share(labels=[labels[i] for i in candidates], params=params)
        held_out[candidates[chosen]] = True
    return held_out


def corpus_weights(*, sources: np.ndarray) -> np.ndarray:
    """Per row, so each corpus weighs in proportion to the square root of its size, not to its size.

    With 16,810 OffendES comments and 3,541 EXIST posts, weights in proportion to
    size let OffendES decide what `discriminatory` means; equal weights would let a
    corpus of 50 annotated posts count as much as one of 16,000. The square root
    sits between: a corpus 4 times larger counts twice as much. Mean weight 1.
    """
    if len(sources) == 0:
        return np.ones(0)
    names, inverse, counts = np.unique(sources.astype(str), return_inverse=True, return_counts=True)
    per_row = 1.0 / np.sqrt(counts[inverse])
    return per_row / per_row.mean()


def category_evidence(*, texts: list[str], categories: list[str]) -> np.ndarray:
    """Rows x `categories`: 1 where the text holds a term of the category, active or only suggested
    (a HurtLex suggestion is evidence of who a text is about, never a search term)."""
    lexicon = category_lexicon(include_suggestions=True)
    by_term: dict[str, list[str]] = {}
    for slug in categories:
        for term in lexicon.get(slug, []):
            by_term.setdefault(term, []).append(slug)
    found = np.zeros((len(texts), len(categories)), dtype=np.int8)
    if not by_term:
        return found
    matcher = Matcher(DictionaryTerm(term, tuple(slugs)) for term, slugs in by_term.items())
    column = {slug: i for i, slug in enumerate(categories)}
    for row, text in enumerate(texts):
        for slug in matcher.match(text).categories:
            found[row, column[slug]] = 1
    return found


def label_plans(
    *, task: str, labels: list[str], data: TrainingData, params: TrainParams, y: np.ndarray, train: np.ndarray,
) -> dict[str, LabelPlan]:
    """How each label learns: its rows (weak ones only for categories, or with `include_weak`), its corpus
    weights and leave-one-corpus-out groups (with the cross-corpus search when two or more corpora can be
    left out), for `discriminatory` the hostility target it may mix in, and for a category its search
    and its gate. `y`: rows x `labels`."""
    strong = np.ones(len(data.texts), dtype=bool) if params.include_weak else ~data.weak
    weights = data.weights * corpus_weights(sources=data.row_sources)
    plans = {}
    for i, label in enumerate(labels):
        if data.informed is not None:
            plans[label] = _informed_plan(label=label, data=data, y=y[:, i], train=train, params=params)
            continue
        if task == DISCRIMINATION and label != DISCRIMINATORY and DISCRIMINATORY in labels:
            plans[label] = LabelPlan(
                rows=np.ones(len(data.texts), dtype=bool) if params.category_weak else strong, weights=weights,
                params=CATEGORY_PARAMS, gate=DISCRIMINATORY,
            )
        else:
            rows = strong & train
            judged = [s for s in set(data.row_sources[rows]) if len(set(y[rows & (data.row_sources == s), i].tolist())) == 2]
            plans[label] = LabelPlan(
                rows=strong, weights=weights, groups=data.row_sources,
                params=params.cross_corpus if len(judged) >= 2 else None,
                auxiliary=data.hostile if task == DISCRIMINATION and label == DISCRIMINATORY else None,
            )
    return plans


def _informed_plan(*, label: str, data: TrainingData, y: np.ndarray, train: np.ndarray, params: TrainParams) -> LabelPlan:
    """A label learnt only from the rows that judged it: their corpora weighed among themselves
    (`corpus_weights`), and left out one at a time when two or more hold both classes."""
    assert data.informed is not None
    rows = data.informed.get(label, np.zeros(len(data.texts), dtype=bool))
    weights = np.zeros(len(data.texts))
    if rows.any():
        weights[rows] = data.weights[rows] * corpus_weights(sources=data.row_sources[rows])
    judged = [s for s in set(data.row_sources[rows & train]) if len(set(y[rows & train & (data.row_sources == s)].tolist())) == 2]
    return LabelPlan(
        rows=rows, weights=weights, groups=data.row_sources, params=params.cross_corpus if len(judged) >= 2 else None,
    )


def labels_offered(
    *, candidates: list[str], y: np.ndarray, data: TrainingData, plans: dict[str, LabelPlan], train: np.ndarray,
    params: TrainParams,
) -> tuple[list[str], dict[str, str]]:
    """The labels with enough evidence to train, and why each of the others is not offered: fewer than
    `min_positives` training positives, or positives from fewer than `min_corpora` corpora."""
    kept, reasons = [], {}
    for i, name in enumerate(candidates):
        positive = train & _plan_mask(plans[name], len(train)) & (y[:, i] == 1)
        count, corpora = int(positive.sum()), len(set(data.row_sources[positive]))
        if count < params.min_positives:
            reasons[name] = f"{count} ejemplos positivos de entrenamiento (se necesitan {params.min_positives})"
        elif corpora < params.min_corpora:
            reasons[name] = f"positivos de {corpora} corpus (se necesitan {params.min_corpora})"
        else:
            kept.append(name)
    return kept, reasons


def model_version_train(*, task: str, params: TrainParams | None = None) -> ModelVersion:
    """Train, evaluate on the held-out rows, register the version and promote it if it is not worse.
    Without `params`, the defaults with the task's own settings (`classifier.training_settings`)."""
    params = params or TrainParams(**task_training_settings(task=task))
    started = time.monotonic()
    data = training_data_load(task=task, params=params)
    candidates = sorted(task_labels(task=task) or {label for row in data.labels for label in row})
    if params.labels:
        candidates = [name for name in candidates if name in params.labels]
    y_all = label_matrix(data.labels, candidates)
    categories = [name for name in candidates if task == DISCRIMINATION and name != DISCRIMINATORY]
    if categories and params.category_weak:
        evidence = category_evidence(texts=data.texts, categories=categories)
        columns = [candidates.index(name) for name in categories]
        y_all[:, columns] = np.maximum(y_all[:, columns], evidence)
    train = ~data.held_out
    plans = label_plans(task=task, labels=candidates, data=data, params=params, y=y_all, train=train)
    positives = {name: int(y_all[train & _plan_mask(plans[name], len(train)), i].sum()) for i, name in enumerate(candidates)}
    kept, not_offered = labels_offered(candidates=candidates, y=y_all, data=data, plans=plans, train=train, params=params)
    skipped = {name: positives[name] for name in not_offered}
    if not kept:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in not_offered.items())
        raise ValueError(f"ninguna etiqueta de {task} tiene {params.min_positives} ejemplos positivos de {params.min_corpora} corpus o más ({reasons})")
    config = text_config_for(language=task_language(task=task), remove_stopwords=params.remove_stopwords)
    train_texts = texts_normalize(
        [t for t, keep in zip(data.texts, train, strict=True) if keep], config=config, contexts=contexts_select(data.contexts, train),
    )
    vectors = embedding_latest(language=config.language) if params.embeddings else None
    embedding = None if vectors is None else embedding_block_build(
        version=vectors, normalized_texts=train_texts, weight=params.embedding_weight)
    train_plans = {name: _plan_rows(plans[name], train) for name in kept}
    model, fits = task_model_fit(
        task=task, labels=kept, text=config, normalized=train_texts,
        y=y_all[train][:, [candidates.index(name) for name in kept]], weights=data.weights[train],
        embedding=embedding, params=params, max_features=params.max_features, jobs=params.jobs, plans=train_plans,
    )
    metrics = _held_out_metrics(model=model, data=data, y_all=y_all, candidates=candidates, plans=plans)
    metrics.update({
        "skipped_labels": skipped, "not_offered": not_offered, "training_rows": int(train.sum()), "held_out_rows": int(data.held_out.sum()),
        "rows_per_source": dict(data.sources), "train_seconds": round(time.monotonic() - started, 1),
        "embedding_version": None if vectors is None else vectors.version,
        "chosen": _chosen_summary([fit.chosen for fit in fits]),
        "left_out_corpora": {name: fit.chosen["left_out"] for name, fit in zip(kept, fits, strict=True) if "left_out" in fit.chosen},
        "signals": _signals(task=task, kept=kept, data=data, y_all=y_all, candidates=candidates, plans=plans, train=train),
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__},
    })
    version = model_version_register(
        task=task, model=model, metrics=metrics,
        params={**_params_dict(params), "per_label": {name: fit.chosen for name, fit in zip(kept, fits, strict=True)}},
    )
    return model_version_promote(candidate=version, tolerance=params.tolerance)


def _plan_rows(plan: LabelPlan, train: np.ndarray) -> LabelPlan:
    """The plan restricted to the training rows (the held-out ones never reach the search)."""
    rows = plan.rows if plan.rows is not None else np.ones(len(train), dtype=bool)
    return dataclasses.replace(
        plan, rows=rows[train], weights=None if plan.weights is None else plan.weights[train],
        groups=None if plan.groups is None else plan.groups[train],
        auxiliary=None if plan.auxiliary is None else plan.auxiliary[train],
    )


def _held_out_metrics(
    *, model: TaskModel, data: TrainingData, y_all: np.ndarray, candidates: list[str], plans: dict[str, LabelPlan],
) -> dict[str, Any]:
    """Figures on the held-out rows each label could have learnt from (a gated label judged by the
    decision it serves), then `discriminatory`'s figures per held-out corpus."""
    held = data.held_out
    held_texts = [t for t, h in zip(data.texts, held, strict=True) if h]
    held_contexts = contexts_select(data.contexts, held)
    scores = model_scores(model, held_texts, contexts=held_contexts)
    decided = model_decisions(model, scores)
    y_held, label_scores, label_decided, label_rows = {}, {}, {}, {}
    for name in model.labels:
        rows = label_rows[name] = _plan_mask(plans[name], len(held))[held]
        y_held[name] = y_all[held][rows, candidates.index(name)]
        label_scores[name], label_decided[name] = scores[name][rows], decided[name][rows]
    metrics = labels_evaluate(y_true=y_held, scores=label_scores, thresholds=model.thresholds, decided=label_decided)
    metrics.update(_comparison(task=model.task, held_texts=held_texts, y_held=y_held, rows=label_rows, contexts=held_contexts))
    sources = data.row_sources[held]
    per_label = {
        name: sources_evaluate(y_held[name], label_scores[name], model.thresholds[name], sources[label_rows[name]])
        for name in model.labels
    }
    metrics["held_out_per_label_source"] = per_label
    if DISCRIMINATORY in model.labels:
        keys = ("roc_auc", "f1_both_classes", "f1", "support")
        metrics["held_out_per_source"] = {
            source: {key: figures[key] for key in keys} for source, figures in per_label[DISCRIMINATORY].items()
        }
    return metrics


def _plan_mask(plan: LabelPlan, size: int) -> np.ndarray:
    return plan.rows if plan.rows is not None else np.ones(size, dtype=bool)


def _signals(
    *, task: str, kept: list[str], data: TrainingData, y_all: np.ndarray, candidates: list[str],
    plans: dict[str, LabelPlan], train: np.ndarray,
) -> dict[str, dict[str, int]]:
    """Per label, how many training positives each source gave it (`lexicon` for the rows a category's
    terms alone made positive): what trained it, for the report."""
    explicit = label_matrix(data.labels, candidates)
    found: dict[str, dict[str, int]] = {}
    for name in kept:
        column = candidates.index(name)
        rows = train & _plan_mask(plans[name], len(train)) & (y_all[:, column] == 1)
        counts = Counter(
            str(source) if explicit[i, column] else "lexicon" for i, source in zip(np.flatnonzero(rows), data.row_sources[rows], strict=True)
        )
        found[name] = dict(sorted(counts.items()))
    return found


def _chosen_summary(chosen: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """How many labels each scaling, balancing and C won (the resampling-versus-weights comparison)."""
    return {key: dict(Counter(str(c[key]) for c in chosen)) for key in ("scaling", "balancing", "C", "embeddings")}


def _comparison(
    *, task: str, held_texts: list[str], y_held: dict[str, np.ndarray], rows: dict[str, np.ndarray],
    contexts: list[list[str]] | None = None,
) -> dict[str, Any]:
    """The active version's macro F1 on the same held-out rows and labels, for the promotion rule."""
    active = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).first()
    if active is None:
        return {}
    model = artifact_load(path=active.artifact_path, sha256=active.artifact_sha256)
    shared = [label for label in y_held if label in model.classifiers]
    everything = model_scores(model, held_texts, contexts=contexts)
    decided = model_decisions(model, everything)
    theirs = labels_evaluate(
        y_true={label: y_held[label] for label in shared},
        scores={label: everything[label][rows[label]] for label in shared},
        thresholds=model.thresholds, decided={label: decided[label][rows[label]] for label in shared},
    )
    return {"active_version": active.version, "active_macro_f1": theirs["macro_f1"]}


def _params_dict(params: TrainParams) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(params).items()}


def tasks_retrain(*, params: TrainParams | None = None) -> dict[str, str]:
    """Rebuild the word vectors of every language in use, then retrain every task with labelled data.

    A task that fails gets a `failed` version with the error as its reason,
    visible in the admin; its active version keeps serving. Vectors that fail
    to build are logged and the tasks train with the previous ones.
    """
    given = params  # None: each task trains with its own settings
    params = params or TrainParams()
    tasks = sorted(set(LabeledText.objects.values_list("task", flat=True).distinct()) | _derived_tasks())
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
            version = model_version_train(task=task, params=given)
            outcome[task] = f"v{version.version} {version.status}"
        except Exception as error:  # recorded for the admin; the other tasks still train
            failed = model_version_failed(task=task, reason=f"{type(error).__name__}: {error}")
            outcome[task] = f"v{failed.version} failed"
    return outcome


def _derived_tasks() -> set[str]:
    """Tasks that learn from another task's rows: toxicity, from the corpora imported under discrimination."""
    corpora = LabeledText.objects.filter(task=DISCRIMINATION, weak=False).exclude(source=DEMO_SOURCE)
    return {TOXICITY} if corpora.exists() else set()


# The demo model's search: one candidate per label, no word vectors; it trains in seconds.
DEMO_PARAMS = TrainParams(
    c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, min_positives=10, embeddings=False
)


def demo_model_ensure() -> ModelVersion | None:
    """In the embedded demo, a discrimination model and a toxicity model learned from the demo corpus's
    own judgements, so the API, the Perspective-compatible endpoint and the dashboard answer out of
    the box; the discrimination one is returned. Nothing happens for a task once it has a model or
    real labelled data is there; a model trained later from real data replaces it."""
    from ingestion.sources.replay import demo_corpus

    rows = LabeledText.objects.filter(task=DISCRIMINATION)
    if rows.exclude(source=DEMO_SOURCE).exists():
        return None
    model = None
    if not ModelVersion.objects.filter(task=DISCRIMINATION).exists():
        for item in demo_corpus():
            labels = (["discriminatory"] if item["discriminatory"] else []) + item["categories"]
            LabeledText.objects.update_or_create(
                task=DISCRIMINATION, source=DEMO_SOURCE, external_id=item["id"],
                defaults={"text": item["text"], "labels": labels, "extra": {"synthetic": True}},
            )
        model = _demo_marked(model_version_train(task=DISCRIMINATION, params=DEMO_PARAMS))
    toxicity_rows = LabeledText.objects.filter(task=TOXICITY)
    if rows.exists() and not ModelVersion.objects.filter(task=TOXICITY).exists() and not toxicity_rows.exists():
        # The demo rows of discrimination, read through `classifier.toxicity` (TOXICITY and IDENTITY_ATTACK).
        _demo_marked(model_version_train(task=TOXICITY, params=DEMO_PARAMS))
    return model


def _demo_marked(version: ModelVersion) -> ModelVersion:
    """The version's metrics say it learnt from the synthetic demo corpus, not from real judgements."""
    version.metrics = {**version.metrics, "demo": True}
    version.save(update_fields=["metrics"])
    return version
