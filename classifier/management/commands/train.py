"""`python manage.py train --task TASK`: train, evaluate and register a new model version."""
from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from classifier.models import ModelVersion
from classifier.services.training import TrainParams, model_version_train
from classifier.training_settings import task_training_settings

from ._report import metrics_print


class Command(BaseCommand):
    help = "Entrena una versión nueva del modelo de una tarea, la evalúa y la activa si no es peor que la activa."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--task", required=True)
        parser.add_argument("--include-weak", action="store_true", help="usar también las etiquetas débiles")
        parser.add_argument(
            "--min-positives", type=int, help=f"positivos mínimos para entrenar una etiqueta (por omisión {TrainParams.min_positives}, "
                                              "o lo que la tarea fije)",
        )
        parser.add_argument("--c", type=float, nargs="+", help="valores de C a probar por validación cruzada")
        parser.add_argument(
            "--exclude-source", action="append", default=[], metavar="ORIGEN",
            help="entrenar sin este origen (p. ej. import:offendes) para ver cómo le va al modelo en él; repetible",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        params = dataclasses.replace(TrainParams(**task_training_settings(task=options["task"])), include_weak=options["include_weak"])
        if options["min_positives"] is not None:
            params = dataclasses.replace(params, min_positives=options["min_positives"])
        if options["c"]:
            params = dataclasses.replace(params, c_grid=tuple(options["c"]))
        if options["exclude_source"]:
            params = dataclasses.replace(params, exclude_sources=tuple(options["exclude_source"]))
        self.stdout.write(f"Entrenando {options['task']}…")
        try:
            version = model_version_train(task=options["task"], params=params)
        except ValueError as error:
            raise CommandError(str(error)) from None
        metrics_print(self.stdout, version)
        per_label_print(self.stdout, version)


def per_label_print(out: OutputWrapper, version: ModelVersion) -> None:
    """Every label's ROC AUC and calibration error on each held-out corpus, how its probabilities compare
    with the observed rates, and the labels not offered with the reason."""
    metrics = version.metrics
    for label, corpora in metrics.get("held_out_per_label_source", {}).items():
        figures = ", ".join(
            f"{corpus} {f['roc_auc']:.3f} (error de calibración {f['calibration_error']:.3f}, {f['rows']} filas)"
            for corpus, f in corpora.items()
        )
        out.write(f"{label}, ROC AUC en la evaluación de cada corpus: {figures or '—'}")
        bins = metrics.get("labels", {}).get(label, {}).get("reliability", [])
        if bins:
            out.write(f"{label}, probabilidad media frente a proporción observada: " + ", ".join(
                f"{b['bin']} {b['mean_probability']:.2f}/{b['observed']:.2f} ({b['rows']})" for b in bins
            ))
    for label, reason in metrics.get("not_offered", {}).items():
        out.write(f"{label}: no se ofrece ({reason})")
