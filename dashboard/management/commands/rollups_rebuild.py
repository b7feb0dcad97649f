"""`python manage.py rollups_rebuild [--model-version N] [--since AAAA-MM-DD] [--until AAAA-MM-DD]`: recount the dashboard's rollups."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date
from tqdm import tqdm

from classifier.selectors.model_versions import model_version_for_reads
from dashboard.services.rollups import RebuildSummary, rollups_rebuild
from ingestion.management.progress import BarOutput


def _day_start(text: str | None) -> datetime | None:
    if not text:
        return None
    day: date | None = parse_date(text)
    if day is None:
        raise CommandError(f"Fecha no válida: {text} (use AAAA-MM-DD)")
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


class Command(BaseCommand):
    help = (
        "Recuenta los conteos del tablero a partir de las publicaciones y sus predicciones (del modelo activo, "
        "o de --model-version), en todo el periodo o entre --since y --until (días de la Ciudad de México)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model-version", dest="model_version", type=int, help="número de versión del modelo de discriminación")
        parser.add_argument("--since", help="desde el inicio de este día, AAAA-MM-DD")
        parser.add_argument("--until", help="hasta el inicio de este día, AAAA-MM-DD (excluido)")
        parser.add_argument("--no-progress", action="store_true", help="sin barra de progreso")

    def handle(self, *args: Any, **options: Any) -> None:
        version = model_version_for_reads(version=options["model_version"])
        if version is None:
            raise CommandError("No hay tal versión del modelo de discriminación." if options["model_version"]
                               else "No hay un modelo activo de discriminación: no hay nada que contar.")
        since, until = _day_start(options["since"]), _day_start(options["until"])
        if since and until and since >= until:
            raise CommandError("--since debe ser anterior a --until.")
        bar = tqdm(unit="h", desc=f"v{version.version}", disable=options["no_progress"], file=BarOutput(self.stderr))

        def progress(summary: RebuildSummary, total: int) -> None:
            bar.total = total
            bar.update(summary.hours - bar.n)
            bar.set_postfix(publicaciones=summary.posts)

        summary = rollups_rebuild(model_version_id=version.pk, since=since, until=until, on_progress=progress)
        bar.close()
        if summary.since is None:
            self.stdout.write("No hay publicaciones que contar.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Conteos de la versión v{version.version} recontados: {summary.posts} publicaciones calificadas en "
            f"{summary.hours} horas ({summary.since:%Y-%m-%d %H:%M} a {summary.until:%Y-%m-%d %H:%M} UTC)."
        ))
