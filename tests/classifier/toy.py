"""A toy scikit-learn model (six texts, fitted in milliseconds) for the registry, serving and admin tests."""
from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

TEXTS = ["qué naco eres", "buenos días a todos", "pinche gordo asqueroso", "me encanta el café", "vieja loca", "hoy llueve"]
LABELS = [1, 0, 1, 0, 1, 0]


def trained(c: float = 1.0) -> Pipeline:
    return make_pipeline(TfidfVectorizer(), LogisticRegression(C=c)).fit(TEXTS, LABELS)
