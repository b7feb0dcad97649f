"""`python manage.py classify "texto" [--task TASK]`: the active model's scores for a text."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.engine.scoring import model_decisions, model_scores
from classifier.label_sets import DISCRIMINATION
from classifier.selectors.serving import model_active_get
from ingestion.selectors.dictionary import matcher_build


class Command(BaseCommand):
    help = "Clasifica un texto con el modelo activo e imprime la probabilidad de cada etiqueta."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text")
        parser.add_argument("--task", default=DISCRIMINATION)

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = model_active_get(task=options["task"])
        if loaded is None:
            raise CommandError(f"No hay un modelo activo para {options['task']}: entrene uno con manage.py train.")
        scores = model_scores(loaded.model, [options["text"]])
        decisions = model_decisions(loaded.model, scores)
        self.stdout.write(f"{options['task']} v{loaded.version.version}")
        for label in sorted(scores, key=lambda name: -scores[name][0]):
            mark = "sí" if decisions[label][0] else "no"
            self.stdout.write(f"  {label:<16} {scores[label][0]:.3f}  {mark}")
        if options["task"] == DISCRIMINATION:
            terms = matcher_build().match(options["text"]).terms
            self.stdout.write(f"  términos del diccionario: {', '.join(terms) or 'ninguno'}")
