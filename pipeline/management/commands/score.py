"""`python manage.py score [--since YYYY-MM-DD]`: score posts the active model has not scored yet."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date

from pipeline.services.scoring import tweets_score


class Command(BaseCommand):
    help = "Puntúa con el modelo activo las publicaciones que aún no tienen su predicción (todas, o desde una fecha)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="fecha AAAA-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
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
