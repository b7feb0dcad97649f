"""The embedded demo's movie-genre model: learnt once, in seconds, from a bundled sample of synthetic synopses.

`classifier/demo/movie_plots.csv` holds 147 short plot synopses with their
year, title and genres, written for the demo in the format of the MM-IMDb
training file (`,year,title,plot,genres`), so the `movies` importer reads it;
none comes from the real data set, which is never bundled. They are imported
under the demo source (`classifier.toxicity.DEMO_SOURCE`), which training
leaves out as soon as real rows of the task exist.

The version is marked as a demo (`metrics["demo"]`), like the discrimination
and toxicity demo models (`classifier.services.training.demo_model_ensure`),
so every page that shows its scores can say that they describe no real film.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from classifier.importers import ImportSpec
from classifier.label_sets import MOVIE_GENRES
from classifier.models import LabeledText, ModelVersion
from classifier.services.labeled import labeled_texts_import
from classifier.services.training import DEMO_PARAMS, model_version_train
from classifier.toxicity import DEMO_SOURCE

MOVIE_SAMPLE_PATH = Path(__file__).resolve().parent.parent / "demo" / "movie_plots.csv"

# The discrimination demo's one-candidate search; a genre needs 5 training films (the sample has 8 or more
# of 20 genres; Musical and Film-Noir, with fewer, are reported as not offered).
MOVIE_DEMO_PARAMS = dataclasses.replace(DEMO_PARAMS, min_positives=5)


def movie_demo_model_ensure() -> ModelVersion | None:
    """In the embedded demo, a movie-genre model learnt from the bundled synthetic sample, so the
    reference route (`/classifier/`) and the analysis page answer out of the box; returned when trained.

    Nothing happens once the task has a version (any status) or real movie rows are imported; a model
    trained later from real data replaces it through the usual promotion rule.
    """
    if ModelVersion.objects.filter(task=MOVIE_GENRES).exists():
        return None
    if LabeledText.objects.filter(task=MOVIE_GENRES).exclude(source=DEMO_SOURCE).exists():
        return None
    summary = labeled_texts_import(
        spec=ImportSpec(path=MOVIE_SAMPLE_PATH, fmt="movies", task=MOVIE_GENRES, source=DEMO_SOURCE)
    )
    if summary.rejected:  # the bundled file is ours: a bad row is a bug, not data to skip
        raise ValueError(f"la muestra de películas tiene filas inválidas: {summary.errors[:3]}")
    version = model_version_train(task=MOVIE_GENRES, params=MOVIE_DEMO_PARAMS)
    version.metrics = {**version.metrics, "demo": True}
    version.save(update_fields=["metrics"])
    return version
