"""`python manage.py load_demo`: the demo replay source and a backlog of demo posts."""
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ingestion.services.demo import demo_backlog_load, demo_source_get_or_create


class Command(BaseCommand):
    help = "Crea la fuente de demostración y carga publicaciones de ejemplo de los últimos días."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backlog", type=int, default=300, help="publicaciones repartidas en los días previos")
        parser.add_argument("--days", type=int, default=14, help="días que cubre la carga inicial")

    def handle(self, *args: Any, **options: Any) -> None:
        source, created = demo_source_get_or_create()
        if not created and source.runs.exists():
            self.stdout.write("La demostración ya estaba cargada.")
        else:
            run = demo_backlog_load(source=source, count=options["backlog"], spread=timedelta(days=options["days"]))
            self.stdout.write(self.style.SUCCESS(
                f"Demostración cargada: {run.new} publicaciones de los últimos {options['days']} días; "
                f"la fuente «{source.name}» añadirá {source.config.get('batch_size')} cada 15 minutos."
            ))
        self._model_ensure()
        self._campaign_ensure()

    def _campaign_ensure(self) -> None:
        from labeling.services.demo import demo_campaign_ensure

        campaign, added = demo_campaign_ensure()
        if added:
            self.stdout.write(self.style.SUCCESS(
                f"Campaña de etiquetado «{campaign.name}» en curso con {added} publicaciones: "
                "http://127.0.0.1:8000/etiquetado/"
            ))

    def _model_ensure(self) -> None:
        from classifier.services.training import demo_model_ensure
        from pipeline.services.scoring import tweets_score

        version = demo_model_ensure()
        if version is not None:
            scored = tweets_score().scored
            self.stdout.write(self.style.SUCCESS(
                f"Modelo de demostración {version.task} v{version.version} entrenado con el corpus de demostración "
                f"(sintético); {scored} publicaciones clasificadas. Un modelo entrenado con datos reales lo reemplaza."
            ))
