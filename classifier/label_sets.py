"""The classification tasks the engine knows, and the labels each one has.

A task is a named set of binary labels trained one-vs-rest. `discrimination`
has `discriminatory` plus one label per dictionary category (data in the
database, so admins can add categories); `movie-genres` has the 24 genres of
the MM-IMDb reference data. Any other task name is allowed, with free labels.
"""
from __future__ import annotations

DISCRIMINATION = "discrimination"
MOVIE_GENRES = "movie-genres"
DISCRIMINATORY = "discriminatory"

GENRES: tuple[str, ...] = (
    "Action", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary", "Drama",
    "Family", "Fantasy", "Film-Noir", "History", "Horror", "Music", "Musical", "Mystery", "News",
    "Romance", "Sci-Fi", "Short", "Sport", "Thriller", "War", "Western",
)


def task_labels(*, task: str) -> set[str] | None:
    """The labels a task accepts, or None when the task is free-form."""
    if task == MOVIE_GENRES:
        return set(GENRES)
    if task == DISCRIMINATION:
        from ingestion.models import Category

        return {DISCRIMINATORY, *Category.objects.values_list("slug", flat=True)}
    return None
