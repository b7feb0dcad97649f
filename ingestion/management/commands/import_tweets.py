"""`python manage.py import_tweets PATH [--format ...]`: import posts from a file."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ingestion.management.progress import BarOutput
from ingestion.services.imports import FileImportBusy, ImportSummary, tweets_import_file
from ingestion.sources.files import (
    FORMAT_HELP,
    FORMATS,
    FileReader,
    FileUnreadable,
    default_encoding,
    file_format_detect,
)

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Importa publicaciones desde archivos (JSON lines de la API v2 de X, CSV o los archivos del proyecto original)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="archivo(s) a importar; .gz también")
        parser.add_argument(
            "--format", choices=FORMATS, help="formato; se deduce del nombre si se omite. "
            + "; ".join(f"{k}: {v}" for k, v in FORMAT_HELP.items()),
        )
        parser.add_argument("--encoding", help="codificación (utf-8 por omisión; latin-1 para base_*.csv)")
        parser.add_argument("--batch-size", type=int, default=None, help="publicaciones por transacción")
        parser.add_argument("--no-progress", action="store_true", help="sin barra de progreso")

    def handle(self, *args: Any, **options: Any) -> None:
        imported = 0
        for path in options["paths"]:
            imported += self._import_one(path, options)
        if imported == 0:
            raise CommandError("No se pudo importar ninguna publicación.")

    def _import_one(self, path: Path, options: dict[str, Any]) -> int:
        try:
            fmt = options["format"] or file_format_detect(path)
            reader = FileReader(path=path, fmt=fmt, encoding=options["encoding"] or default_encoding(fmt))
        except FileUnreadable as error:
            self.stderr.write(self.style.ERROR(f"{path}: {error}"))
            return 0
        bar = tqdm(total=reader.size, unit="B", unit_scale=True, desc=path.name,
                   disable=options["no_progress"], file=BarOutput(self.stderr))

        def progress(summary: ImportSummary) -> None:
            bar.update(reader.position() - bar.n)
            bar.set_postfix(nuevas=summary.new, duplicadas=summary.duplicate, rechazadas=summary.rejected)

        try:
            summary = tweets_import_file(reader=reader, batch_size=options["batch_size"], on_batch=progress)
        except (FileUnreadable, FileImportBusy) as error:
            bar.close()
            self.stderr.write(self.style.ERROR(f"{path}: {error}"))
            return 0
        bar.update(reader.size - bar.n)
        bar.close()
        self._report(path, summary)
        return summary.new + summary.duplicate

    def _report(self, path: Path, summary: ImportSummary) -> None:
        for error in summary.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"{path.name}, {error}")
        if len(summary.errors) > SHOWN_ERRORS:
            self.stderr.write(f"… y {len(summary.errors) - SHOWN_ERRORS} errores más (ver la ejecución #{summary.run.pk} en la administración)")
        style = self.style.SUCCESS if summary.new or summary.duplicate else self.style.ERROR
        self.stdout.write(style(
            f"{path.name}: {summary.read} leídas, {summary.new} nuevas, {summary.duplicate} duplicadas, "
            f"{summary.rejected} rechazadas (ejecución #{summary.run.pk})"
        ))
        if summary.embedded:
            self.stdout.write(
                "  Base de datos integrada (SQLite): los lotes se guardaron uno tras otro con el ORM, "
                "más despacio que con PostgreSQL (COPY)."
            )
        if summary.undated:
            self.stdout.write(f"  {summary.undated} publicaciones sin fecha en el archivo: se guardaron sin fecha.")
