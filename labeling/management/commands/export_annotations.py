"""`python manage.py export_annotations CAMPAIGN_ID [--what annotations|labels] [--format csv|jsonl] [--output PATH]`."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.csv import FORMATS, rows_write
from labeling.models import Campaign
from labeling.selectors.exports import annotation_rows, settled_rows


class Command(BaseCommand):
    help = "Exporta las anotaciones (una fila por respuesta) o las etiquetas resueltas de una campaña, en CSV o JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", type=int, help="id de la campaña")
        parser.add_argument("--what", choices=("annotations", "labels"), default="annotations")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", default="-", help="archivo; - es la salida estándar")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No existe la campaña {options['campaign']}.")
        rows = annotation_rows(campaign=campaign) if options["what"] == "annotations" else settled_rows(campaign=campaign)
        if options["output"] == "-":
            count = rows_write(rows, output=self.stdout, fmt=options["format"])
        else:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                count = rows_write(rows, output=handle, fmt=options["format"])
        self.stderr.write(f"{count} filas exportadas.")
