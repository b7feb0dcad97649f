"""`python manage.py export_predictions [--format csv|jsonl] [--output PATH] ...`: write stored predictions.

One row per post scored by a version of the discrimination model (the active one
unless `--version` names another): the post's id, date and state, the decisions,
and one `p_<label>` column per label. Rows are streamed, so exporting millions
of predictions needs no more memory than exporting ten.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from tqdm import tqdm

from api.csv import FORMATS, rows_write
from classifier.label_sets import DISCRIMINATION
from classifier.models import ModelVersion, Prediction
from classifier.services.predictions import prediction_labels_get
from ingestion.management.progress import BarOutput

STDOUT = "-"
CHUNK_SIZE = 2000
COLUMNS = ("platform_id", "created_at", "state", "model_task", "model_version", "discriminatory", "categories")
FIELDS = ("tweet__platform_id", "tweet__created_at", "tweet__state", "discriminatory", "categories", "scores")


class Command(BaseCommand):
    help = (
        "Exporta las predicciones guardadas de una versión del modelo de discriminación (la activa si no se indica) "
        "en CSV o JSON lines: una fila por publicación, con su fecha, estado, decisiones y la probabilidad de cada etiqueta."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version N` names the model version; argparse refuses it beside Django's own --version unless told to resolve.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (por omisión) o jsonl: un objeto JSON por línea")
        parser.add_argument("--output", default=STDOUT, metavar="RUTA", help="archivo de salida; - (por omisión) es la salida estándar")
        parser.add_argument("--since", metavar="AAAA-MM-DD", help="publicaciones desde esta fecha AAAA-MM-DD, incluida")
        parser.add_argument("--until", metavar="AAAA-MM-DD", help="publicaciones hasta esta fecha AAAA-MM-DD, incluida")
        parser.add_argument(
            "--version", "--model-version", dest="version", type=int, metavar="N",
            help="número de versión del modelo de discriminación; la activa si se omite",
        )
        parser.add_argument("--discriminatory-only", action="store_true", help="solo las publicaciones juzgadas discriminatorias")
        parser.add_argument("--no-progress", action="store_true", help="sin barra de progreso")

    def handle(self, *args: Any, **options: Any) -> None:
        since, until = day_parse(options["since"]), day_parse(options["until"])
        if since and until and until < since:
            raise CommandError(f"--until ({until}) es anterior a --since ({since}).")
        version = version_get(options["version"])
        predictions = predictions_select(
            version=version, since=since, until=until, discriminatory_only=options["discriminatory_only"]
        )
        export = {"version": version, "labels": prediction_labels_get(version=version), "fmt": options["format"]}
        if options["output"] == STDOUT:  # the data goes to stdout: no bar, and the summary goes to stderr
            exported = self._write(predictions, out=BarOutput(self.stdout), bar=tqdm(disable=True), **export)
            self.stderr.write(f"{exported} predicciones de la versión v{version.version} exportadas a la salida estándar.",
                              style_func=self.style.SUCCESS)
            return
        path = Path(options["output"])
        bar = tqdm(disable=True) if options["no_progress"] else tqdm(
            total=predictions.count(), unit=" predicciones", desc=path.name, file=BarOutput(self.stderr)
        )
        exported = self._write_file(path, predictions, bar=bar, **export)
        self.stdout.write(self.style.SUCCESS(f"{exported} predicciones de la versión v{version.version} exportadas a {path}."))

    def _write_file(self, path: Path, predictions: QuerySet[Prediction], *, bar: tqdm, **export: Any) -> int:
        """Write beside the file and rename at the end, so a failed export leaves no half file that looks whole."""
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("w", encoding="utf-8", newline="") as out:
                exported = self._write(predictions, out=out, bar=bar, **export)
            os.replace(partial, path)
        except BaseException as error:
            partial.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise CommandError(f"No se pudo escribir {path}: {error.strerror or error}") from error
            raise
        finally:
            bar.close()
        return exported

    def _write(self, predictions: QuerySet[Prediction], *, version: ModelVersion, labels: list[str], fmt: str,
               out: TextIO | BarOutput, bar: tqdm) -> int:
        records = prediction_records(predictions, version=version, labels=labels)
        header = [*COLUMNS, *(f"p_{label}" for label in labels)]
        # The lines this command has always written end in "\n", not in the downloads' "\r\n".
        return rows_write(_ticking(records, bar), output=out, fmt=fmt, header=header, line_end="\n")


def _ticking(records: Iterator[dict[str, Any]], bar: tqdm) -> Iterator[dict[str, Any]]:
    """The records, moving the bar on once each has been written."""
    for record in records:
        yield record
        bar.update()


def day_parse(value: str | None) -> date | None:
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:  # well formed but not a day of the calendar, like 2024-02-30
        day = None
    if day is None:
        raise CommandError(f"Fecha no válida: {value} (use AAAA-MM-DD)")
    return day


def day_start(day: date) -> datetime:
    """Midnight of a day in the site's time zone, so the days of the filter are the days the dashboard shows."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def version_get(number: int | None) -> ModelVersion:
    versions = ModelVersion.objects.filter(task=DISCRIMINATION)
    if number is None:
        version = versions.filter(status=ModelVersion.Status.ACTIVE).first()
        if version is None:
            raise CommandError(
                "No hay un modelo activo de discriminación: entrene uno con manage.py train o indique --version."
            )
        return version
    version = versions.filter(version=number).first()
    if version is None:
        raise CommandError(f"No existe la versión v{number} del modelo de discriminación.")
    return version


def predictions_select(*, version: ModelVersion, since: date | None, until: date | None,
                       discriminatory_only: bool) -> QuerySet[Prediction]:
    predictions = Prediction.objects.filter(model_version=version)
    if since is not None:
        predictions = predictions.filter(tweet__created_at__gte=day_start(since))
    if until is not None:
        predictions = predictions.filter(tweet__created_at__lt=day_start(until + timedelta(days=1)))
    if discriminatory_only:
        predictions = predictions.filter(discriminatory=True)
    # Oldest first; posts without a date (the original project's files) at the end.
    return predictions.order_by(F("tweet__created_at").asc(nulls_last=True), "pk")


def prediction_records(predictions: QuerySet[Prediction], *, version: ModelVersion,
                       labels: list[str]) -> Iterator[dict[str, Any]]:
    """One dict per prediction, with JSON values: None where a post has no date or state, or a label no score."""
    rows = predictions.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    for platform_id, created_at, state, discriminatory, categories, scores in rows:
        yield {
            "platform_id": platform_id,
            "created_at": timezone.localtime(created_at).isoformat() if created_at else None,
            "state": state or None,
            "model_task": version.task,
            "model_version": version.version,
            "discriminatory": discriminatory,
            "categories": categories,
            **{f"p_{label}": scores.get(label) for label in labels},
        }
