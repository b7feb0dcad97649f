"""The model of a task: features, one binary classifier per label, thresholds; and how it scores.

A trained task model is a plain dict of scikit-learn objects, NumPy arrays and
builtins, so skops can save it and load it without running code:

* `vectorizer`: word 1–2-gram and character 2–5-gram TF-IDF;
* `embedding` (or None): word vectors and the weights that average them
  (`classifier.embeddings.embedding_features`), appended to the TF-IDF columns;
* per label, in `classifiers`, `scalings`, `calibrators` and `thresholds`: a
  logistic regression, the optional naive-Bayes log-count ratios that scale its
  features (Wang & Manning's NB-LR), a sigmoid that turns its decision value
  into a calibrated probability, and the probability at which the label is yes.

Texts are normalised (`classifier.text`) with the language and options the
model was trained with.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from .embeddings import embedding_features
from .text import Language, TextConfig, text_normalize

MODEL_FORMAT = 2


def task_language(*, task: str) -> Language:
    from .task_definitions import MOVIE_GENRES

    return "en" if task == MOVIE_GENRES else "es"


def text_config_for(*, task: str, remove_stopwords: bool = False) -> TextConfig:
    """Stopwords stay by default: on HatEval and the movie plots, dropping them lost
    0.02 to 0.03 of F1 and ROC AUC (negations, pronouns and "por", "para", "contra" carry meaning)."""
    return TextConfig(language=task_language(task=task), remove_stopwords=remove_stopwords)


def features_build(*, max_features: int = 200_000) -> FeatureUnion:
    """Word 1–2-grams and character 2–5-grams, TF-IDF with sublinear term frequency."""
    words = TfidfVectorizer(
        token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
        max_features=max_features,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", lowercase=False, ngram_range=(2, 5), min_df=2, sublinear_tf=True,
        max_features=max_features,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def texts_normalize(texts: Sequence[str], *, config: TextConfig) -> list[str]:
    return [text_normalize(text, config=config) for text in texts]


def features_transform(model: dict[str, Any], normalized: list[str]) -> sparse.csr_matrix:
    """The feature matrix a model's classifiers read, from normalised texts."""
    features = model["vectorizer"].transform(normalized)
    if model.get("embedding") is not None:
        features = sparse.hstack([features, embedding_features(model["embedding"], normalized)], format="csr")
    return features


def features_scale(features: sparse.csr_matrix, scaling: np.ndarray | None) -> sparse.csr_matrix:
    """Multiply each column by its naive-Bayes ratio (NB-LR); unchanged without one."""
    return features if scaling is None else (features @ sparse.diags(scaling)).tocsr()


def label_probability(model: dict[str, Any], label: str, features: sparse.csr_matrix) -> np.ndarray:
    decision = model["classifiers"][label].decision_function(features_scale(features, model["scalings"][label]))
    return model["calibrators"][label].predict_proba(decision.reshape(-1, 1))[:, 1]


def model_scores(model: dict[str, Any], texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Probability of each label for each text."""
    features = features_transform(model, texts_normalize(texts, config=TextConfig(**model["text"])))
    return {label: label_probability(model, label, features) for label in model["labels"]}


def model_decisions(model: dict[str, Any], scores: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each label's yes/no at its tuned threshold."""
    return {label: values >= model["thresholds"][label] for label, values in scores.items()}
