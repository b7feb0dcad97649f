"""`python manage.py load_demo`: the demo replay source and a backlog of demo posts, the demo model and campaign."""
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pipeline.services.demo import demo_load


class Command(BaseCommand):
    help = "Crea la fuente de demostración y carga publicaciones de ejemplo de los últimos días."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backlog", type=int, default=300, help="publicaciones repartidas en los días previos")
        parser.add_argument("--days", type=int, default=14, help="días que cubre la carga inicial")

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = demo_load(backlog=options["backlog"], days=options["days"])
        if loaded.run is None:
            self.stdout.write("La demostración ya estaba cargada.")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Demostración cargada: {loaded.run.new} publicaciones de los últimos {options['days']} días; "
                f"la fuente «{loaded.source.name}» añadirá {loaded.source.config.get('batch_size')} cada 15 minutos."
            ))
        if loaded.model is not None:
            self.stdout.write(self.style.SUCCESS(
                f"Modelo de demostración {loaded.model.task} v{loaded.model.version} entrenado con el corpus de "
                f"demostración (sintético); {loaded.scored} publicaciones clasificadas. Un modelo entrenado con datos "
                "reales lo reemplaza."
            ))
        if loaded.campaign_added:
            self.stdout.write(self.style.SUCCESS(
                f"Campaña de etiquetado «{loaded.campaign.name}» en curso con {loaded.campaign_added} publicaciones: "
                "http://127.0.0.1:8000/etiquetado/"
            ))
