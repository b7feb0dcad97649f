"""`python manage.py train --task TASK`: train, evaluate and register a new model version."""
from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.services.training import TrainParams, model_version_train

from ._report import metrics_print


class Command(BaseCommand):
    help = "Entrena una versión nueva del modelo de una tarea, la evalúa y la activa si no es peor que la activa."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--task", required=True)
        parser.add_argument("--include-weak", action="store_true", help="usar también las etiquetas débiles")
        parser.add_argument("--min-positives", type=int, default=TrainParams.min_positives)
        parser.add_argument("--c", type=float, nargs="+", help="valores de C a probar por validación cruzada")

    def handle(self, *args: Any, **options: Any) -> None:
        params = TrainParams(include_weak=options["include_weak"], min_positives=options["min_positives"])
        if options["c"]:
            params = dataclasses.replace(params, c_grid=tuple(options["c"]))
        self.stdout.write(f"Entrenando {options['task']}…")
        try:
            version = model_version_train(task=options["task"], params=params)
        except ValueError as error:
            raise CommandError(str(error)) from None
        metrics_print(self.stdout, version)
