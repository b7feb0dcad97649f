"""The classifier's prediction endpoints: POST /api/v1/tasks/{task}/predict and the movie reference route, over
models trained once for the module."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from classifier.label_sets import GENRES
from classifier.models import ModelVersion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_fresh")]


def test_predict_any_task_explains_the_likeliest_label(trained_models, client_with):
    plot = "a cowboy and the sheriff ride to the saloon on a horse"
    response = client_with("classify").post("/api/v1/tasks/movie-genres/predict", {"text": plot}, format="json")
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    assert max(result["labels"], key=result["labels"].get) == "Western"
    assert result["explanation"]["label"] == "Western"
    assert "cowboy" in [w["word"] for w in result["explanation"]["words"]]
    assert "matched_terms" not in result  # the dictionary belongs to the discrimination task


def test_predict_unknown_task_is_404_and_untrained_task_is_503(trained_models, client_with):
    client = client_with("classify")
    missing = client.post("/api/v1/tasks/astrologia/predict", {"text": "hola"}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    ModelVersion.objects.filter(task="movie-genres").update(status="retired")
    unavailable = client.post("/api/v1/tasks/movie-genres/predict", {"text": "a ghost"}, format="json")
    assert unavailable.status_code == 503 and unavailable.json()["code"] == "model_unavailable"


def test_reference_movie_route_answers_every_genre_without_a_key(trained_models):
    response = APIClient().get("/classifier/", {"year": 1960, "title": "Ride", "plot": "the outlaw cowboy robs the ranch"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == [f"p_{g}" for g in GENRES]
    assert body["p_Western"] == max(body.values())
    assert body["p_News"] == 0.0  # not trained: too few examples
    assert APIClient().get("/classifier/", {"year": 1960}).json()["field"] == "plot"
    assert APIClient().get("/classifier/", {"plot": "x", "year": "sesenta"}).json()["field"] == "year"
