"""The model of a task: features, one binary classifier per label, thresholds; and how it scores.

A trained task model is a plain dict of scikit-learn objects and builtins, so
skops can save it and load it without running code:
`{"format", "task", "labels", "thresholds", "text", "vectorizer", "classifiers"}`.
Texts are normalised (`classifier.text`) before the vectoriser, with the
language the model was trained with.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from .text import TextConfig, text_normalize

MODEL_FORMAT = 1


def text_config_for(*, task: str) -> TextConfig:
    from .task_definitions import MOVIE_GENRES

    return TextConfig(language="en" if task == MOVIE_GENRES else "es")


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


def model_scores(model: dict[str, Any], texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Probability of each label for each text."""
    config = TextConfig(**model["text"])
    features = model["vectorizer"].transform(texts_normalize(texts, config=config))
    return {label: clf.predict_proba(features)[:, 1] for label, clf in model["classifiers"].items()}


def model_decisions(model: dict[str, Any], scores: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each label's yes/no at its tuned threshold."""
    return {label: values >= model["thresholds"][label] for label, values in scores.items()}
