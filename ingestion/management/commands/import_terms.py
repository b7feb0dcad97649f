"""`python manage.py import_terms PATH --format hurtlex [--level conservative|inclusive]`: dictionary suggestions.

The words come in inactive, marked as suggestions; a person activates them in the admin.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from ingestion.hurtlex import LEVELS, HurtlexUnreadable
from ingestion.management.progress import BarOutput
from ingestion.services.suggestions import SuggestionSummary, suggestions_import_hurtlex

FORMATS = ("hurtlex",)
SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Importa sugerencias para el diccionario (HurtLex ES 1.2) como términos inactivos; "
        "se activan en la administración tras revisarlos."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="archivo a importar (hurtlex_ES.tsv)")
        parser.add_argument("--format", choices=FORMATS, required=True, help="hurtlex: el TSV de HurtLex 1.2")
        parser.add_argument(
            "--level", choices=LEVELS, default="conservative",
            help="conservative (por omisión): solo las palabras revisadas; inclusive: también las demás",
        )
        parser.add_argument("--no-progress", action="store_true", help="sin barra de progreso")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no existe o no es un archivo.") % {"path": path})
        bar = tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name,
                   disable=options["no_progress"], file=BarOutput(self.stderr))
        try:
            summary = suggestions_import_hurtlex(
                path=path, level=options["level"], on_progress=lambda position: bar.update(position - bar.n)
            )
        except HurtlexUnreadable as error:
            raise CommandError(f"{path.name}: {error}") from error
        finally:
            bar.close()
        self._report(path, summary)

    def _report(self, path: Path, summary: SuggestionSummary) -> None:
        for rejected in summary.rejected[:SHOWN_ERRORS]:
            self.stderr.write(f"{path.name}, {rejected}")
        if len(summary.rejected) > SHOWN_ERRORS:
            self.stderr.write(_("… y %(n)d líneas rechazadas más") % {"n": len(summary.rejected) - SHOWN_ERRORS})
        if summary.missing_categories:
            self.stderr.write(self.style.WARNING(
                _("Faltan en el diccionario las categorías %(slugs)s: sus palabras no se sugirieron.")
                % {"slugs": ", ".join(sorted(summary.missing_categories))}
            ))
        self.stdout.write(self.style.SUCCESS(_(
            "%(file)s: %(read)d leídas, %(new)d sugerencias nuevas (%(by_category)s), %(present)d ya estaban en el "
            "diccionario, %(other_level)d solo del nivel inclusive, %(skipped)d de categorías sin grupo COPRED (%(skipped_by)s), "
            "%(rejected)d rechazadas"
        ) % {
            "file": path.name, "read": summary.read, "new": summary.new_terms,
            "by_category": _counts(summary.new_by_category), "present": summary.present,
            "other_level": summary.other_level, "skipped": sum(summary.skipped_by_category.values()),
            "skipped_by": _counts(summary.skipped_by_category), "rejected": len(summary.rejected),
        }))
        if summary.new_terms:
            self.stdout.write(_(
                "Las sugerencias están inactivas: revíselas y actívelas en Administración → Términos "
                "(filtro «sugerencias»)."
            ))


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(counter.items())) or "-"
