"""`python manage.py download [SOURCE ...]`: download from sources now, in this process."""
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion.models import Source
from ingestion.selectors.sources import sources_enabled
from ingestion.services.downloads import source_download


class Command(BaseCommand):
    help = "Descarga ahora las publicaciones nuevas de las fuentes indicadas (o de todas las habilitadas)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="*", help="identificadores de fuente; todas las habilitadas si se omite")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = list(Source.objects.filter(slug__in=options["sources"])) if options["sources"] else list(sources_enabled())
        if not sources:
            raise CommandError("No hay fuentes que descargar.")
        for source in sources:
            if source.kind == Source.Kind.BLUESKY:
                self.stdout.write(f"{source.slug}: se lee en tiempo real con «manage.py consume_bluesky»; no se descarga")
                continue
            outcome = source_download(source_id=source.pk)
            if outcome.run is None:
                self.stdout.write(f"{source.slug}: omitida ({outcome.skipped_reason})")
                continue
            run = outcome.run
            self.stdout.write(
                f"{source.slug}: {run.get_status_display()}: {run.fetched} descargadas, {run.new} nuevas, "
                f"{run.duplicate} duplicadas, {run.rejected} rechazadas"
                + (f" ({run.message})" if run.message else "")
            )
