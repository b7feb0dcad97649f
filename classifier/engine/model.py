"""The trained model of a task (`TaskModel`), and the plain dict it is stored as.

A task model is:

* `vectorizer`: word 1–2-gram and character 2–5-gram TF-IDF (`classifier.engine.features`);
* `embedding` (or None): word vectors and the weights that average them
  (`classifier.engine.vectors`), appended to the TF-IDF columns;
* per label, in `classifiers`, `scalings`, `calibrators` and `thresholds`: a
  logistic regression, the optional naive-Bayes log-count ratios that scale its
  features (Wang & Manning's NB-LR), a sigmoid that turns its decision value
  into a calibrated probability, and the probability at which the label is yes;
* `gates`: labels whose probability is multiplied by another label's (a category
  by `discriminatory`), and which are yes only when that label is;
* `text`: the normalisation its texts go through (`classifier.engine.text`).

Stored (`model_pack`), it is a dict of scikit-learn objects, NumPy arrays and
builtins, so skops can save it and load it without running code; `model_unpack`
turns that dict (`MODEL_FORMAT` 2) back into a `TaskModel`. Scoring is in
`classifier.engine.scoring`, fitting in `classifier.engine.fitting`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from classifier.engine.text import TextConfig
from classifier.engine.vectors import EmbeddingBlock

MODEL_FORMAT = 2


@dataclass(frozen=True, eq=False)
class TaskModel:
    """A task's binary classifiers, one per label, and the features they read.

    Compared and hashed by identity: scoring keeps what it compiles from a model per model."""

    task: str
    labels: list[str]
    text: TextConfig
    vectorizer: FeatureUnion
    embedding: EmbeddingBlock | None
    classifiers: dict[str, LogisticRegression]
    scalings: dict[str, np.ndarray | None]
    calibrators: dict[str, LogisticRegression]
    thresholds: dict[str, float]
    # A gated label's probability is its own times its gate's, and it is yes only when the gate is
    # yes too (a category is about a group; `discriminatory`, its gate, is about hostility).
    gates: dict[str, str] = field(default_factory=dict)
    format: int = MODEL_FORMAT


# --- Storage form -----------------------------------------------------------------------
# A fitted vectoriser's vocabulary is a dict of up to hundreds of thousands of terms;
# skops writes a dict entry by entry (and a NumPy integer as an array file), which makes
# artifacts huge and slow. Stored, each vocabulary is its terms in column order, one per
# line (a term never holds a newline: texts are split on whitespace before n-grams).

# Always stored; the other `TextConfig` fields only when they are not the default.
_TEXT_STORED = ("language", "remove_stopwords", "lemmatize", "fold_accents")


def model_stored(obj: Any) -> bool:
    """Whether a loaded object is a task model's stored form."""
    return isinstance(obj, dict) and obj.get("format") == MODEL_FORMAT and "vectorizer" in obj


def model_pack(model: TaskModel) -> dict[str, Any]:
    """The model as it is saved: a dict, vocabularies as text (the model itself is not modified)."""
    union = copy.copy(model.vectorizer)
    union.transformer_list = [(name, copy.copy(vectorizer)) for name, vectorizer in union.transformer_list]
    embedding = None
    if model.embedding is not None:
        block = model.embedding
        embedding = {
            "version": block.version, "vectorizer": copy.copy(block.vectorizer), "vectors": block.vectors,
            "weight": block.weight,
        }
    vocabularies = {}
    for name, vectorizer in _vectorizers(union, None if embedding is None else embedding["vectorizer"]):
        vocabulary = vectorizer.vocabulary_
        vocabularies[name] = "\n".join(sorted(vocabulary, key=vocabulary.__getitem__))
        del vectorizer.vocabulary_
    return {
        "format": model.format, "task": model.task, "labels": list(model.labels), "text": _text_pack(model.text),
        "vectorizer": union, "embedding": embedding, "classifiers": dict(model.classifiers),
        "scalings": dict(model.scalings), "calibrators": dict(model.calibrators), "thresholds": dict(model.thresholds),
        "gates": dict(model.gates), "vocabularies": vocabularies,
    }


def model_unpack(packed: dict[str, Any]) -> TaskModel:
    """The model ready to score, from its saved form (its vectorisers get their vocabularies back)."""
    stored = packed.get("embedding")
    embedding = None if stored is None else EmbeddingBlock(
        version=stored["version"], vectorizer=stored["vectorizer"], vectors=stored["vectors"], weight=stored["weight"],
    )
    vocabularies = packed["vocabularies"]
    for name, vectorizer in _vectorizers(packed["vectorizer"], None if embedding is None else embedding.vectorizer):
        terms = vocabularies[name].split("\n") if vocabularies[name] else []
        vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms)}
    return TaskModel(
        task=packed["task"], labels=list(packed["labels"]), text=_text_unpack(packed["text"]),
        vectorizer=packed["vectorizer"], embedding=embedding, classifiers=packed["classifiers"],
        scalings=packed["scalings"], calibrators=packed["calibrators"], thresholds=packed["thresholds"],
        gates=dict(packed.get("gates") or {}), format=packed["format"],
    )


def _vectorizers(union: FeatureUnion, embedding: TfidfVectorizer | None) -> list[tuple[str, TfidfVectorizer]]:
    """Every vectoriser of a model with a vocabulary, named as its stored vocabulary is."""
    found = list(union.transformer_list)
    if embedding is not None:
        found.append(("embedding", embedding))
    return found


def _text_pack(config: TextConfig) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for item in fields(config):
        value = getattr(config, item.name)
        if item.name in _TEXT_STORED or value != item.default:
            stored[item.name] = sorted(value) if isinstance(value, frozenset) else value
    return stored


def _text_unpack(stored: dict[str, Any]) -> TextConfig:
    options: dict[str, Any] = {key: frozenset(value) if isinstance(value, list) else value for key, value in stored.items()}
    return TextConfig(**options)
