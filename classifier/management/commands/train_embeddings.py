"""`python manage.py train_embeddings [--language es|en]`: word2vec vectors from every ingested post."""
from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from classifier.services.embeddings import EmbeddingParams, embeddings_train
from ingestion.management.progress import BarOutput


class Command(BaseCommand):
    help = (
        "Entrena vectores de palabras (word2vec) con todas las publicaciones descargadas y los textos "
        "etiquetados del idioma, y los guarda como una versión nueva."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--language", choices=["es", "en"], default="es", help="idioma del corpus (es por omisión)")
        parser.add_argument("--dimensions", type=int, default=EmbeddingParams.dimensions)
        parser.add_argument("--epochs", type=int, default=EmbeddingParams.epochs)
        parser.add_argument("--min-count", type=int, default=EmbeddingParams.min_count)
        parser.add_argument("--no-progress", action="store_true", help="sin barra de progreso")

    def handle(self, *args: Any, **options: Any) -> None:
        params = dataclasses.replace(
            EmbeddingParams(), dimensions=options["dimensions"], epochs=options["epochs"], min_count=options["min_count"]
        )
        bar = tqdm(unit=" textos", desc="corpus", disable=options["no_progress"], file=BarOutput(self.stderr))

        def progress(texts: int) -> None:
            bar.update(texts - bar.n)

        try:
            version = embeddings_train(language=options["language"], params=params, progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(
            f"Vectores {version.language} v{version.version}: {version.vocabulary_size} palabras de "
            f"{version.texts} textos ({version.tokens} palabras) en {version.seconds:.0f} s."
        ))
