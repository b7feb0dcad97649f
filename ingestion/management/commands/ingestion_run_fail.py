"""`python manage.py ingestion_run_fail RUN_ID [RUN_ID ...]`: mark runs whose process died as failed."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion.services.runs import ingestion_run_fail


class Command(BaseCommand):
    help = (
        "Marca como fallidas las ejecuciones de ingesta en curso cuyo proceso murió (p. ej. con kill -9), "
        "para que otra descarga o importación de la misma fuente pueda empezar sin esperar el plazo del latido."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_ids", nargs="+", type=int, metavar="RUN_ID", help="número de la ejecución (#N)")
        parser.add_argument("--reason", default="", help="nota que se añade al mensaje de la ejecución")

    def handle(self, *args: Any, **options: Any) -> None:
        not_running = []
        for run_id in options["run_ids"]:
            if ingestion_run_fail(run_id=run_id, reason=options["reason"]):
                self.stdout.write(self.style.SUCCESS(f"Ejecución #{run_id} marcada como fallida."))
            else:
                not_running.append(run_id)
        if not_running:
            raise CommandError(
                "No están en curso (o no existen): " + ", ".join(f"#{run_id}" for run_id in not_running)
            )
