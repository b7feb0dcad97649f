"""`python manage.py load_demo`: the demo model, weeks of demo posts shaped for the semáforo, their scores, the
campaign, and in the embedded mode demo annotators with their answers. A line per step as it ends."""
from pathlib import Path
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from dashboard.levels import Level
from pipeline.management.commands.ensure_admin import embedded_mode, secret_file_write
from pipeline.services.demo import DEFAULT_DAYS, DemoLoaded, LightsCount, demo_lights_count, demo_load

SITE = "http://127.0.0.1:8000"
ANNOTATORS_FILE = "demo-annotators.txt"
BULLETIN_TASK = "alerts.tasks.bulletin_monthly"
LEVEL_WORDS = {Level.RED: ("rojo", "rojos"), Level.YELLOW: ("amarillo", "amarillos"), Level.GREEN: ("verde", "verdes"),
               Level.GREY: ("gris", "grises")}


class Command(BaseCommand):
    help = (
        "Carga la demostración: el modelo de demostración, semanas de publicaciones de ejemplo con un alza reciente "
        "que el semáforo ve, la campaña de etiquetado y, en el modo integrado, anotadoras con sus respuestas."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="días que cubre la carga inicial")
        parser.add_argument(
            "--backlog", type=int, default=None,
            help="en lugar de la carga con forma, tantas publicaciones del corpus en su orden (pruebas rápidas)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.annotators_file = Path(settings.VAR_DIR) / ANNOTATORS_FILE
        self.total = 5 if embedded_mode() else 4
        loaded = demo_load(days=options["days"], backlog=options["backlog"], annotators=embedded_mode(),
                           progress=self.step)
        self.lights(demo_lights_count())
        if embedded_mode() and loaded.run is not None:
            # Last month's bulletin, so /boletines/ has one on the first visit: made by the worker once it starts
            # (about 10 s of charts and PDF that the first page does not wait for).
            current_app.send_task(BULLETIN_TASK)
            self.stdout.write(f"Boletín del mes pasado: se prepara en segundo plano; aparecerá en {SITE}/boletines/.")
        if loaded.run is None and loaded.model is None and not loaded.campaign_added:
            self.stdout.write("La demostración ya estaba cargada; no se añadió nada.")

    def step(self, name: str, loaded: DemoLoaded) -> None:
        getattr(self, f"step_{name}")(loaded)

    def say(self, number: int, text: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"[{number}/{self.total}] {text}"))

    def step_model(self, loaded: DemoLoaded) -> None:
        if loaded.model is None:
            self.say(1, "Modelo: ya había uno; se conserva.")
        else:
            self.say(1, f"Modelo de demostración {loaded.model.task} v{loaded.model.version} entrenado con el corpus "
                        "sintético; un modelo entrenado con datos reales lo reemplaza.")
        if loaded.movie_model is not None:
            self.stdout.write(f"      y uno de géneros de película v{loaded.movie_model.version}, de sinopsis sintéticas, "
                              f"para {SITE}/classifier/ y /analizar/.")

    def step_backlog(self, loaded: DemoLoaded) -> None:
        source = loaded.source
        every = f"la fuente «{source.name}» añadirá {source.config.get('batch_size')} cada 15 minutos" if source else ""
        if loaded.run is None:
            self.say(2, "Publicaciones: ya estaban cargadas.")
        elif loaded.shape is None:
            self.say(2, f"Publicaciones: {loaded.run.new} del corpus en orden; {every}.")
        else:
            days = (loaded.shape.posts[-1].created_at - loaded.shape.start).days if loaded.shape.posts else 0
            rising = ", ".join(f"{name} ({LEVEL_WORDS[level][0]})" for name, level in loaded.rising) or "ninguna"
            self.say(2, f"Publicaciones: {loaded.run.new} de los últimos {days} días, con la tasa habitual de cada "
                        f"categoría y un alza reciente en {rising}; {every}, en la misma proporción.")

    def step_scores(self, loaded: DemoLoaded) -> None:
        self.say(3, f"Clasificación: {loaded.scored} publicaciones calificadas con el modelo activo.")

    def step_campaign(self, loaded: DemoLoaded) -> None:
        campaign = loaded.campaign
        name = campaign.name if campaign else ""
        if loaded.campaign_added:
            self.say(4, f"Campaña de etiquetado «{name}» en curso con {loaded.campaign_added} publicaciones: "
                        f"{SITE}/etiquetado/")
        else:
            self.say(4, f"Campaña de etiquetado «{name}»: ya estaba creada.")

    def step_annotators(self, loaded: DemoLoaded) -> None:
        annotators, answers = loaded.annotators, loaded.answers
        if annotators is None or answers is None:
            return
        if annotators.created:
            lines = "".join(f"{username}\t{password}\n" for username, password in self._credentials(annotators.created))
            secret_file_write(self.annotators_file, lines)
            for username, password in annotators.created:
                self.stdout.write(f"      usuaria: {username}  contraseña: {password}")
        names = ", ".join(user.get_username() for user in annotators.users)
        where = (f"contraseñas en {self.annotators_file}, legible solo por su usuario" if self.annotators_file.exists()
                 else "sin archivo de contraseñas: cámbielas con «manage.py changepassword»")
        self.say(5, f"Anotadoras de demostración {names} ({where}); {answers.answers} respuestas nuevas. La campaña "
                    f"tiene {answers.settled} publicaciones resueltas, {answers.disputed} en revisión "
                    f"({SITE}/etiquetado/revision/) y {answers.open} abiertas.")

    def _credentials(self, created: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The passwords created now, after the lines of the file for annotators that were not (kept as they were)."""
        fresh = {username for username, _ in created}
        kept = []
        if self.annotators_file.exists():
            for line in self.annotators_file.read_text().splitlines():
                username, _, password = line.partition("\t")
                if username and username not in fresh:
                    kept.append((username, password))
        return kept + created

    def lights(self, lights: LightsCount) -> None:
        self.stdout.write(
            f"Semáforo: todas las publicaciones en {LEVEL_WORDS[lights.overall][0]}; "
            f"categorías: {self._levels(lights.categories)}; estados: {self._levels(lights.states)}. {SITE}/"
        )

    @staticmethod
    def _levels(counts: Any) -> str:
        shown = [f"{counts[level]} {LEVEL_WORDS[level][0 if counts[level] == 1 else 1]}"
                 for level in (Level.RED, Level.YELLOW, Level.GREEN, Level.GREY) if counts[level]]
        return ", ".join(shown) or "ninguno"
