"""`python manage.py evaluate --task TASK [--version N]`: print a version's stored evaluation."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.models import ModelVersion

from ._report import metrics_print


class Command(BaseCommand):
    help = "Muestra la evaluación guardada de la versión activa (o de la indicada) de una tarea."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--task", required=True)
        parser.add_argument("--model-version", type=int, help="número de versión; la activa si se omite")

    def handle(self, *args: Any, **options: Any) -> None:
        versions = ModelVersion.objects.filter(task=options["task"])
        version = (
            versions.filter(version=options["model_version"]).first() if options["model_version"]
            else versions.filter(status=ModelVersion.Status.ACTIVE).first() or versions.first()
        )
        if version is None:
            raise CommandError(f"No hay versiones del modelo de {options['task']}.")
        metrics_print(self.stdout, version)
