"""The embedded demo's movie-genre model: learnt once from the bundled synthetic sample, marked as a demo, and
serving the reference project's route `/classifier/`."""
from __future__ import annotations

import csv
import time

import pytest
from rest_framework.test import APIClient

from classifier.label_sets import GENRES, MOVIE_GENRES
from classifier.models import LabeledText, ModelVersion
from classifier.services.demo import MOVIE_SAMPLE_PATH, movie_demo_model_ensure
from classifier.toxicity import DEMO_SOURCE
from tests.factories import LabeledTextFactory


def test_the_bundled_sample_is_small_and_uses_the_tasks_genres():
    with MOVIE_SAMPLE_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert 80 <= len(rows) <= 150
    assert {"", "year", "title", "plot", "genres"} <= set(rows[0])
    assert all(row[""].startswith("demo-") for row in rows)  # never an id of the real data set


@pytest.mark.django_db
def test_the_demo_model_answers_the_reference_route(archive_dir):
    assert APIClient().get("/classifier/", {"plot": "a cowboy rides into town"}).status_code == 503
    started = time.monotonic()
    version = movie_demo_model_ensure()
    assert time.monotonic() - started < 60  # seconds on a laptop; generous for a shared machine
    assert version is not None and version.status == ModelVersion.Status.ACTIVE and version.metrics["demo"] is True
    assert set(LabeledText.objects.filter(task=MOVIE_GENRES).values_list("source", flat=True)) == {DEMO_SOURCE}

    response = APIClient().get("/classifier/", {
        "plot": "a lone gunslinger and the sheriff face a gang of outlaws in a dusty frontier town",
        "year": 1958, "title": "Guns at Dawn",
    })
    assert response.status_code == 200
    scores = response.json()
    assert set(scores) == {f"p_{genre}" for genre in GENRES}
    assert max(scores, key=scores.get) == "p_Western"
    assert scores["p_News"] == 0.0  # a genre the sample cannot train is 0, as in the reference submission

    assert movie_demo_model_ensure() is None  # once
    assert ModelVersion.objects.filter(task=MOVIE_GENRES).count() == 1


@pytest.mark.django_db
def test_real_movie_rows_get_no_demo_model(archive_dir):
    LabeledTextFactory.create(task=MOVIE_GENRES, text="a plot", labels=["Drama"], source="import:mmimdb-miad", external_id="1")
    assert movie_demo_model_ensure() is None
    assert not ModelVersion.objects.filter(task=MOVIE_GENRES).exists()
    assert not LabeledText.objects.filter(task=MOVIE_GENRES, source=DEMO_SOURCE).exists()
