"""`python manage.py import_labeled PATH --format ...`: import a labelled data set into LabeledText."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from classifier.importers import DEFAULT_SOURCES, DEFAULT_TASKS, FORMATS, ImportSpec
from classifier.services.labeled import LabeledImportSummary, labeled_texts_import
from ingestion.management.progress import BarOutput
from ingestion.sources.files import FileUnreadable

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Importa textos etiquetados (HatEval, EXIST, tuits del proyecto original, películas, MEX-A3T, OffendES, "
        "DETOXIS o un CSV genérico) a la tabla de entrenamiento. MEX-A3T, OffendES y DETOXIS conservan sus "
        "etiquetas originales en 'extra'; sólo lo dirigido contra un grupo cuenta como discriminatorio."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--task", help="tarea (discrimination o movie-genres según el formato)")
        parser.add_argument("--source", help="origen de las etiquetas, p. ej. import:hateval2019")
        parser.add_argument("--split", default="", help="train, dev o test (se deduce del nombre si se omite; mexa3t la necesita)")
        parser.add_argument("--encoding", help="utf-8 por omisión; latin-1 para base_*.csv")
        parser.add_argument("--text-column", default="text", help="csv: columna del texto")
        parser.add_argument("--id-column", default="id", help="csv: columna del identificador")
        parser.add_argument("--label-columns", default="", help="csv: columnas 0/1 separadas por comas")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = self._spec(options)
        with tqdm(unit=" filas", disable=options["no_progress"], file=BarOutput(self.stderr), desc=spec.path.name) as bar:
            def progress(summary: LabeledImportSummary) -> None:
                bar.update(summary.read - bar.n)

            try:
                summary = labeled_texts_import(spec=spec, on_batch=progress)
            except FileUnreadable as error:
                raise CommandError(f"{spec.path}: {error}") from None
            bar.update(summary.read - bar.n)
        self._report(spec, summary)
        if summary.imported == 0:
            raise CommandError("No se pudo importar ningún texto etiquetado.")

    def _spec(self, options: dict[str, Any]) -> ImportSpec:
        fmt, path = options["format"], options["path"]
        task = options["task"] or DEFAULT_TASKS.get(fmt)
        source = options["source"] or DEFAULT_SOURCES.get(fmt)
        if not task or not source:
            raise CommandError("el formato csv necesita --task y --source")
        legacy_csv = fmt == "legacy" and path.suffix.lower() == ".csv"
        return ImportSpec(
            path=path, fmt=fmt, task=task, source=source,
            encoding=options["encoding"] or ("latin-1" if legacy_csv else "utf-8"),
            split=options["split"] or _split_from_name(path),
            text_column=options["text_column"], id_column=options["id_column"],
            label_columns=tuple(c.strip() for c in options["label_columns"].split(",") if c.strip()),
        )

    def _report(self, spec: ImportSpec, summary: LabeledImportSummary) -> None:
        for error in summary.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"{spec.path.name}, {error}")
        if len(summary.errors) > SHOWN_ERRORS:
            self.stderr.write(f"… y {len(summary.errors) - SHOWN_ERRORS} errores más")
        style = self.style.SUCCESS if summary.imported else self.style.ERROR
        self.stdout.write(style(
            f"{spec.path.name} → {spec.task} / {spec.source}: {summary.read} leídas, {summary.new} nuevas, "
            f"{summary.updated} actualizadas, {summary.unchanged} sin cambios, {summary.duplicate} repetidas, "
            f"{summary.rejected} rechazadas"
        ))
        counts = ", ".join(f"{label} {n}" for label, n in sorted(summary.label_counts.items()))
        self.stdout.write(f"  etiquetas positivas: {counts or 'ninguna'}")


def _split_from_name(path: Path) -> str:
    name = path.stem.lower()
    for split in ("train", "dev", "test"):
        if split in name.replace("training", "train").replace("testing", "test"):
            return split
    return ""
