"""`python manage.py score [--since YYYY-MM-DD] [--workers N]`: score posts the active model has not scored yet.

With `--workers N` the command scores nothing itself: it queues N scoring tasks,
which the Celery workers (on this machine or others) run side by side, each
claiming its own ranges of posts.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date

from pipeline.services.scoring import tweets_score
from pipeline.tasks import posts_score_task


class Command(BaseCommand):
    help = "Puntúa con el modelo activo las publicaciones que aún no tienen su predicción (todas, o desde una fecha)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="fecha AAAA-MM-DD")
        parser.add_argument(
            "--workers", type=int, default=0,
            help="encolar N tareas de puntuación para los workers de Celery en vez de puntuar en este proceso",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] > 0:
            self._queue(options)
            return
        since = None
        if options["since"]:
            day = parse_date(options["since"])
            if day is None:
                raise CommandError(f"Fecha no válida: {options['since']} (use AAAA-MM-DD)")
            since = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        summary = tweets_score(since=since)
        if summary.version is None:
            raise CommandError("No hay un modelo activo de discriminación: entrene uno con manage.py train.")
        self.stdout.write(self.style.SUCCESS(f"{summary.scored} publicaciones puntuadas con la versión v{summary.version}."))

    def _queue(self, options: dict[str, Any]) -> None:
        if options["since"]:
            raise CommandError("--workers puntúa todo lo pendiente: no admite --since.")
        for _ in range(options["workers"]):
            posts_score_task.delay()
        self.stdout.write(self.style.SUCCESS(
            f"{options['workers']} tareas de puntuación encoladas: los workers de Celery se reparten las publicaciones pendientes."
        ))
