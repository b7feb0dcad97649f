"""The classification tasks, the labels each one has, and the language of its texts.

A task is a named set of binary labels trained one-vs-rest. `discrimination`
has `discriminatory` plus one label per dictionary category (data in the
database, so admins can add categories); `toxicity` has the attributes of the
Perspective API (TOXICITY, SEVERE_TOXICITY, INSULT, PROFANITY, THREAT,
IDENTITY_ATTACK), served by the Perspective-compatible endpoint;
`movie-genres` has the 24 genres of the MM-IMDb reference data. Any other task name is allowed, with free labels.
The movie plots are English; every other task's texts are Spanish.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the text pipeline takes a tenth of a second to import; a task name needs none of it
    from classifier.engine.text import Language

DISCRIMINATION = "discrimination"
MOVIE_GENRES = "movie-genres"
DISCRIMINATORY = "discriminatory"
TOXICITY = "toxicity"

# The Perspective API's production attributes for Spanish, in its own spelling.
ATTRIBUTES: tuple[str, ...] = ("TOXICITY", "SEVERE_TOXICITY", "INSULT", "PROFANITY", "THREAT", "IDENTITY_ATTACK")

GENRES: tuple[str, ...] = (
    "Action", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary", "Drama",
    "Family", "Fantasy", "Film-Noir", "History", "Horror", "Music", "Musical", "Mystery", "News",
    "Romance", "Sci-Fi", "Short", "Sport", "Thriller", "War", "Western",
)


def task_language(*, task: str) -> Language:
    """The language of a task's texts: how they are normalised and which word vectors they use."""
    return "en" if task == MOVIE_GENRES else "es"


def task_labels(*, task: str) -> set[str] | None:
    """The labels a task accepts, or None when the task is free-form."""
    if task == MOVIE_GENRES:
        return set(GENRES)
    if task == TOXICITY:
        return set(ATTRIBUTES)
    if task == DISCRIMINATION:
        from ingestion.models import Category

        return {DISCRIMINATORY, *Category.objects.values_list("slug", flat=True)}
    return None
