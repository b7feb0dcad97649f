"""Printing a model version's evaluation as a table, for the train and evaluate commands."""
from __future__ import annotations

from typing import Any

from django.core.management.base import OutputWrapper

from classifier.models import ModelVersion

COLUMNS = ("precision", "recall", "f1", "f1_both_classes", "roc_auc", "pr_auc", "support", "threshold")


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def metrics_print(out: OutputWrapper, version: ModelVersion) -> None:
    metrics = version.metrics
    out.write(f"{version.task} v{version.version}: {version.get_status_display()}. {version.reason}")
    out.write("label".ljust(16) + "".join(c.rjust(16) for c in COLUMNS))
    for label, values in metrics.get("labels", {}).items():
        out.write(label.ljust(16) + "".join(_cell(values.get(c)).rjust(16) for c in COLUMNS))
    out.write(
        f"macro: F1 {_cell(metrics.get('macro_f1'))}, ROC AUC {_cell(metrics.get('macro_roc_auc'))}, "
        f"PR AUC {_cell(metrics.get('macro_pr_auc'))}, calibration error {_cell(metrics.get('macro_calibration_error'))}"
    )
    if metrics.get("skipped_labels"):
        skipped = ", ".join(f"{k} ({v} positivos)" for k, v in metrics["skipped_labels"].items())
        out.write(f"sin entrenar por falta de ejemplos: {skipped}")
    if metrics.get("unmeasured_labels"):
        out.write(f"sin positivos en la evaluación: {', '.join(metrics['unmeasured_labels'])}")
    out.write(
        f"filas: {metrics.get('training_rows')} de entrenamiento, {metrics.get('held_out_rows')} de evaluación; "
        f"por origen: {metrics.get('rows_per_source')}; {metrics.get('train_seconds')} s"
    )
    for label, corpora in metrics.get("left_out_corpora", {}).items():
        figures = ", ".join(f"{corpus} {f['roc_auc']:.3f}" for corpus, f in sorted(corpora.items()))
        out.write(f"{label}, ROC AUC en cada corpus dejado fuera del entrenamiento: {figures}")
    for source, figures in metrics.get("held_out_per_source", {}).items():
        out.write(f"discriminatory en la evaluación de {source}: ROC AUC {_cell(figures.get('roc_auc'))}, "
                  f"F1 de ambas clases {_cell(figures.get('f1_both_classes'))}")
    for label, signals in metrics.get("signals", {}).items():
        out.write(f"{label} aprendió de: " + ", ".join(f"{source} {n}" for source, n in signals.items()))
