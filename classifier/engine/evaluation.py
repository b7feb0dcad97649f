"""Evaluation of a task model on held-out rows: per label, per corpus, and macro averages; and how well
its probabilities are calibrated (the expected calibration error, a reliability table and the Brier score)."""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)


def f1_best_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """The threshold that maximises F1 over the given scores, and that F1."""
    order = np.argsort(-scores)
    sorted_scores, sorted_y = scores[order], y[order]
    true_positives = np.cumsum(sorted_y)
    predicted = np.arange(1, len(y) + 1)
    positives = max(int(y.sum()), 1)
    f1 = 2 * true_positives / (predicted + positives)
    best = int(np.argmax(f1))
    return float(f1[best]), float(sorted_scores[best])


def calibration_error(y: np.ndarray, scores: np.ndarray, *, bins: int = 10) -> float:
    """Expected calibration error: how far predicted probabilities are from observed rates."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(scores[mask].mean() - y[mask].mean())
    return float(error)


def reliability_table(y: np.ndarray, scores: np.ndarray, *, bins: int = 5) -> list[dict[str, Any]]:
    """Per probability bin with rows in it: the rows, their mean probability and the share that is positive.
    Calibrated means the last two agree (of the comments scored about 0.7, about 70 % are positive)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            table.append({
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "rows": int(mask.sum()),
                "mean_probability": round(float(scores[mask].mean()), 4), "observed": round(float(y[mask].mean()), 4),
            })
    return table


def sources_evaluate(y: np.ndarray, scores: np.ndarray, threshold: float, sources: np.ndarray) -> dict[str, dict[str, Any]]:
    """A label's figures on each corpus's rows (`sources`, per row) that hold both classes: what a
    pooled figure hides when one corpus is easy and another hard."""
    found = {}
    for source in sorted(set(sources.astype(str).tolist())):
        mask = sources == source
        if len(set(y[mask].tolist())) == 2:
            figures = label_evaluate(y[mask], scores[mask], threshold)
            found[source] = {
                key: figures[key] for key in ("roc_auc", "pr_auc", "f1", "f1_both_classes", "support", "calibration_error", "brier")
            } | {"rows": int(mask.sum())}
    return found


def label_evaluate(y: np.ndarray, scores: np.ndarray, threshold: float, decided: np.ndarray | None = None) -> dict[str, Any]:
    """A label's figures; its yes/no is the score at the threshold, or `decided` when the model decides
    otherwise (a gated label)."""
    predicted = (scores >= threshold).astype(int) if decided is None else decided.astype(int)
    precision, recall, f1, _ = precision_recall_fscore_support(y, predicted, average="binary", zero_division=0)
    both = len(set(y.tolist())) == 2
    return {
        "precision": round(float(precision), 4), "recall": round(float(recall), 4), "f1": round(float(f1), 4),
        # The mean of both classes' F1, as shared tasks such as HatEval report it.
        "f1_both_classes": round(float(f1_score(y, predicted, average="macro", zero_division=0)), 4),
        "roc_auc": round(float(roc_auc_score(y, scores)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(y, scores)), 4) if both else None,
        "support": int(y.sum()), "threshold": round(float(threshold), 4),
        "confusion": confusion_matrix(y, predicted, labels=[0, 1]).tolist(),
        "calibration_error": round(calibration_error(y, scores), 4),
        # The calibration error alone cannot tell a flat probability (every row at the base rate: error 0)
        # from a useful one; the Brier score (mean squared error of the probabilities) can.
        "brier": round(float(brier_score_loss(y, scores)), 4),
        "reliability": reliability_table(y, scores),
    }


def labels_evaluate(
    *, y_true: dict[str, np.ndarray], scores: dict[str, np.ndarray], thresholds: dict[str, float],
    decided: dict[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Per-label figures, and macro averages over the labels the held-out rows contain."""
    decided = decided or {}
    per_label = {
        label: label_evaluate(y_true[label], scores[label], thresholds[label], decided.get(label)) for label in y_true
    }
    measured = {label: m for label, m in per_label.items() if m["support"] > 0}

    def macro(key: str) -> float | None:
        values = [m[key] for m in measured.values() if m[key] is not None]
        return round(float(np.mean(values)), 4) if values else None

    return {
        "labels": per_label,
        # A label with no positive among the held-out rows cannot be judged there.
        "unmeasured_labels": sorted(set(per_label) - set(measured)), "macro_f1": macro("f1"), "macro_roc_auc": macro("roc_auc"),
        "macro_pr_auc": macro("pr_auc"), "macro_precision": macro("precision"), "macro_recall": macro("recall"),
        "macro_calibration_error": macro("calibration_error"),
    }
