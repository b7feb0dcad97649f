"""A task's own training settings: movie-genres, trained without explicit parameters, learns a genre from
5 positives and tries the blend of the plain and NB-scaled fits; explicit parameters still win."""
from __future__ import annotations

import pytest

from classifier.label_sets import MOVIE_GENRES
from classifier.services.training import TrainParams, model_version_train
from classifier.training_settings import task_training_settings
from tests.api_fixtures import GENRE_WORDS
from tests.factories import LabeledTextFactory

pytestmark = pytest.mark.django_db

NEWS = "the reporter interviews the anchor about the election news"


def films_create() -> None:
    """100 films of the test genres, 10 of them news documentaries (8 or so land in training)."""
    genres = list(GENRE_WORDS)
    for i in range(100):
        if i % 10 == 0:
            plot, labels = f"{NEWS} number {i}", ["Documentary", "News"]
        else:
            genre = genres[i % len(genres)]
            plot, labels = f"a film where {GENRE_WORDS[genre]} number {i}", [genre]
        LabeledTextFactory.create(task=MOVIE_GENRES, text=plot, labels=labels, source="settings", external_id=str(i),
                                  extra={"year": str(1950 + i % 60), "title": f"Film {i}"})


def test_movie_genres_trains_rare_genres_and_tries_the_blend(archive_dir):
    films_create()
    version = model_version_train(task=MOVIE_GENRES)

    metrics = version.metrics
    assert "News" in metrics["labels"] and "News" not in metrics["skipped_labels"]
    assert version.params["min_positives"] == 5 and "blend" in version.params["scalings"]
    tried = {key.split("/")[0] for chosen in version.params["per_label"].values() for key in chosen["first_fold_roc_auc"]}
    assert tried == {"plain", "nb", "blend"}


def test_explicit_parameters_win_over_the_task_settings(archive_dir):
    films_create()
    version = model_version_train(task=MOVIE_GENRES, params=TrainParams(
        c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, embeddings=False, min_positives=10,
    ))
    assert "News" in version.metrics["skipped_labels"] and "Western" in version.metrics["labels"]
    assert version.params["scalings"] == ["plain"]
    assert task_training_settings(task="discrimination") == {}
