"""Classify texts with a task's active model: what the API, the dashboard's text box and commands return.

Per text: each label's probability, the labels at or above their threshold
(the model's tuned ones, or the caller's), the words that pushed the main
label's score most (with where each is in the text as sent,
`classifier.engine.offsets`), and for the discrimination task whether the text is
discriminatory, its categories and the dictionary terms it contains with
their spans. Nothing is stored here.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings

from classifier.contexts import contexts_tokens
from classifier.engine import scoring
from classifier.engine.model import TaskModel
from classifier.engine.offsets import text_word_spans
from classifier.label_sets import DISCRIMINATION, DISCRIMINATORY
from classifier.models import ModelVersion
from classifier.selectors.serving import LoadedModel, model_active_get
from ingestion.selectors.dictionary import matcher_current


class NoActiveModel(Exception):
    """The task has no active model version (none trained, or none promoted yet)."""

    def __init__(self, task: str):
        super().__init__(f"La tarea «{task}» no tiene un modelo activo.")
        self.task = task


@dataclass(slots=True)
class Classification:
    task: str
    version: ModelVersion
    results: list[dict[str, Any]]


def model_for(*, task: str) -> LoadedModel:
    loaded = model_active_get(task=task)
    if loaded is None:
        raise NoActiveModel(task)
    return loaded


def texts_classify(
    *, task: str, texts: Sequence[str], thresholds: dict[str, float] | None = None, explain: bool = True,
    loaded: LoadedModel | None = None, contexts: Sequence[Mapping[str, Any] | None] | None = None,
) -> Classification:
    """`contexts`: per text, what its task's model reads besides it (`classifier.contexts`), or None."""
    loaded = loaded or model_for(task=task)
    model = loaded.model
    cutoffs = {**model.thresholds, **(thresholds or {})}
    scores, explained = _scores_explained(model, texts, explain=explain, contexts=contexts_tokens(task=task, contexts=contexts))
    labels = model.labels
    matcher = matcher_current() if task == DISCRIMINATION else None
    # Whole-matrix rounding and comparison: per-value Python calls cost more than the model here.
    matrix = np.column_stack([scores[name] for name in labels]) if len(texts) else np.zeros((0, len(labels)))
    rounded = np.round(matrix, 4).tolist()
    chosen_matrix = matrix >= np.array([cutoffs[name] for name in labels])
    for label, gate in model.gates.items():  # a category only on a text that is also discriminatory
        chosen_matrix[:, labels.index(label)] &= chosen_matrix[:, labels.index(gate)]
    chosen = chosen_matrix.tolist()
    version = loaded.version.version
    results = []
    for i, text in enumerate(texts):
        predicted = [name for name, yes in zip(labels, chosen[i], strict=True) if yes]
        result: dict[str, Any] = {"labels": dict(zip(labels, rounded[i], strict=True)), "predicted": predicted}
        if matcher is not None:
            result["discriminatory"] = DISCRIMINATORY in predicted
            result["categories"] = [name for name in predicted if name != DISCRIMINATORY]
            result["matched_terms"] = [found.as_dict() for found in matcher.match(text).matches]
        if explain:
            label, words = explained[i]
            result["explanation"] = {"label": label, "words": _words_placed(model, text, words)}
        result["model_version"] = version
        results.append(result)
    return Classification(task=task, version=loaded.version, results=results)


def _words_placed(model: TaskModel, text: str, words: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """The explanation's words with where they are in the text as sent: `start`/`end` of the first occurrence
    and `spans` of every one; a word the text does not hold (a context token) has null and []."""
    spans = text_word_spans(text, config=model.text, words=[word for word, _ in words]) if words else {}
    placed = []
    for word, weight in words:
        found = spans[word]
        start, end = found[0] if found else (None, None)
        placed.append({
            "word": word, "weight": round(weight, 4), "start": start, "end": end,
            "spans": [{"start": a, "end": b} for a, b in found],
        })
    return placed


def _scores_explained(
    model: TaskModel, texts: Sequence[str], *, explain: bool, contexts: list[list[str]] | None = None
) -> tuple[dict[str, np.ndarray], list[tuple[str, list[tuple[str, float]]]]]:
    """Scores, and per text (label explained, its words). A discrimination model explains
    `discriminatory`; any other explains each text's likeliest label, so texts are grouped by it."""
    top = int(settings.API["EXPLANATION_WORDS"])
    if not explain:
        return scoring.model_scores_explained(model, texts, label=None, contexts=contexts)[0], []
    if DISCRIMINATORY in model.labels:
        scores, words = scoring.model_scores_explained(model, texts, label=DISCRIMINATORY, top=top, contexts=contexts)
        return scores, [(DISCRIMINATORY, found) for found in words]
    scores, _ = scoring.model_scores_explained(model, texts, label=None, contexts=contexts)
    likeliest = [max(model.labels, key=lambda name: scores[name][i]) for i in range(len(texts))]
    explained: list[tuple[str, list[tuple[str, float]]]] = [("", [])] * len(texts)
    for label in set(likeliest):
        rows = [i for i, name in enumerate(likeliest) if name == label]
        chosen = None if contexts is None else [contexts[i] for i in rows]
        _, words = scoring.model_scores_explained(model, [texts[i] for i in rows], label=label, top=top, contexts=chosen)
        for i, found in zip(rows, words, strict=True):
            explained[i] = (label, found)
    return scores, explained
