"""`python manage.py backfill PATH...`: import large files (or folders of them) and score them in one pass."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from ingestion.management.progress import BarOutput
from ingestion.services.imports import FileImportBusy
from ingestion.sources.files import FORMAT_HELP, FORMATS
from pipeline.services.backfill import BackfillProgress, backfill_files_find, backfill_run

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Importa y puntúa en una sola pasada archivos grandes o carpetas de archivos (JSON lines de X, CSV, "
        "archivos del proyecto original). Si se interrumpe, al repetirla sigue donde se quedó."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="archivos o carpetas; .gz también")
        parser.add_argument(
            "--format", choices=FORMATS, help="formato de todos los archivos; se deduce de cada nombre si se omite. "
            + "; ".join(f"{k}: {v}" for k, v in FORMAT_HELP.items()),
        )
        parser.add_argument("--encoding", help="codificación (utf-8 por omisión; latin-1 para base_*.csv)")
        parser.add_argument("--batch-size", type=int, default=None, help="publicaciones por transacción")
        parser.add_argument("--desde-cero", dest="restart", action="store_true",
                            help="leer de nuevo desde el principio los archivos ya hechos (no duplica publicaciones)")
        parser.add_argument(
            "--procesos", type=int, default=None,
            help="procesos que puntúan junto a la importación (por omisión, uno por núcleo en PostgreSQL; "
            "0: la importación puntúa cada lote ella misma, como siempre en SQLite)",
        )
        parser.add_argument("--no-progress", action="store_true", help="sin barra de progreso")

    def handle(self, *args: Any, **options: Any) -> None:
        files, refused = backfill_files_find(options["paths"], fmt=options["format"])
        for path, reason in refused:
            self.stderr.write(self.style.ERROR(f"{path}: {reason}"))
        if not files:
            raise CommandError("No hay archivos que importar.")
        if connection.vendor != "postgresql":
            self.stdout.write(
                "Base de datos SQLite (modo integrado): la carga funciona igual, pero más despacio, en un solo núcleo. "
                "Para millones de publicaciones use PostgreSQL (DATABASE_URL)."
            )
        total = sum(item.size for item in files)
        bar = tqdm(total=total, unit="B", unit_scale=True, desc="backfill", disable=options["no_progress"],
                   file=BarOutput(self.stderr))

        def progress(state: BackfillProgress) -> None:
            bar.update(min(total, state.bytes_done + state.position) - bar.n)
            bar.set_postfix_str(
                f"{state.rate():,.0f} pub/s · {state.new:,} nuevas · {state.scored:,} puntuadas · {state.rejected:,} rechazadas"
            )

        try:
            state = backfill_run(
                files=files, encoding=options["encoding"], batch_size=options["batch_size"],
                restart=options["restart"], processes=options["procesos"], on_progress=progress,
            )
        except FileImportBusy as error:
            bar.close()
            raise CommandError(str(error)) from None
        bar.update(total - bar.n)
        bar.close()
        self._report(state)

    def _report(self, state: BackfillProgress) -> None:
        for path, error in state.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"{path.name}, {error}")
        if len(state.errors) > SHOWN_ERRORS:
            self.stderr.write(f"… y {len(state.errors) - SHOWN_ERRORS} errores más (ver las ejecuciones en la administración)")
        for path, reason in state.unreadable:
            self.stderr.write(self.style.ERROR(f"{path}: {reason}"))
        if state.skipped_files:
            self.stdout.write(f"{state.skipped_files} archivo(s) ya hechos en una carga anterior: omitidos (--desde-cero para releerlos).")
        if state.resumed_lines:
            self.stdout.write(f"Se siguió donde se quedó una carga interrumpida ({state.resumed_lines:,} líneas ya hechas).")
        if state.files:
            self.stdout.write(self.style.SUCCESS(
                f"{state.read:,} leídas, {state.new:,} nuevas, {state.duplicate:,} duplicadas, {state.rejected:,} rechazadas; "
                f"{state.scored:,} puntuadas; {state.rate():,.0f} publicaciones/s."
            ))
        if state.processes:
            self.stdout.write(f"Puntuación en {state.processes} procesos junto a la importación.")
        if state.model_version is None:
            self.stdout.write(
                "No hay un modelo activo de discriminación: las publicaciones se puntuarán cuando entrene uno (manage.py train)."
            )
        if not state.files and not state.skipped_files:
            raise CommandError("No se pudo leer ningún archivo.")
