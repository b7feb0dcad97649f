"""POST /api/v1/classify, /api/v1/tasks/{task}/predict, /api/v1/feedback and the movie reference route."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from rest_framework.test import APIClient

from classifier.label_sets import GENRES
from classifier.models import ModelVersion
from classifier.selectors import serving
from classifier.services.registry import model_version_promote
from labeling.models import QueuedText

pytestmark = pytest.mark.django_db

SLUR = "Pinche naco feminazi, vete de aquí"
CALM = "Buenos días, hoy hay tráfico en Insurgentes"


def test_one_text_gets_every_label_terms_with_spans_and_an_explanation(trained_models, client_with):
    response = client_with("classify").post("/api/v1/classify", {"text": SLUR}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    version = trained_models["discrimination"]
    assert (body["task"], body["model_version"]) == ("discrimination", version.version)
    (result,) = body["results"]
    assert set(result["labels"]) == set(version.metrics["labels"])
    assert all(0.0 <= p <= 1.0 for p in result["labels"].values())
    assert result["discriminatory"] == ("discriminatory" in result["predicted"])
    assert set(result["categories"]) == set(result["predicted"]) - {"discriminatory"}
    spans = {(m["term"], SLUR[m["start"] : m["end"]].lower()) for m in result["matched_terms"]}
    assert ("naco", "naco") in spans and ("feminazi", "feminazi") in spans
    words = result["explanation"]["words"]
    assert result["explanation"]["label"] == "discriminatory" and 0 < len(words) <= 8
    weights = [abs(w["weight"]) for w in words]
    assert weights == sorted(weights, reverse=True)
    assert result["model_version"] == version.version
    assert QueuedText.objects.count() == 0  # nothing kept without "store"


def test_a_slur_scores_higher_than_a_greeting(trained_models, client_with):
    body = client_with("classify").post("/api/v1/classify", {"texts": [SLUR, CALM]}, format="json").json()
    slur, calm = body["results"]
    assert slur["labels"]["discriminatory"] > calm["labels"]["discriminatory"]
    assert calm["matched_terms"] == []


def test_request_thresholds_change_the_decisions(trained_models, client_with):
    client = client_with("classify")
    low = client.post("/api/v1/classify", {"text": CALM, "thresholds": {"discriminatory": 0.0}}, format="json").json()
    high = client.post("/api/v1/classify", {"text": SLUR, "thresholds": {"discriminatory": 1.0}}, format="json").json()
    assert low["results"][0]["discriminatory"] is True
    assert high["results"][0]["discriminatory"] is False
    unknown = client.post("/api/v1/classify", {"text": CALM, "thresholds": {"astrologia": 0.5}}, format="json")
    assert unknown.status_code == 400 and unknown.json()["field"] == "thresholds"


def test_store_queues_the_texts_for_labeling_with_their_scores(trained_models, client_with):
    response = client_with("classify").post("/api/v1/classify", {"texts": [SLUR, CALM], "store": True}, format="json")
    assert response.json()["queued"] == 2
    queued = list(QueuedText.objects.order_by("pk"))
    assert [q.text for q in queued] == [SLUR, CALM]
    assert all(q.origin == "classify" and q.status == "pending" and q.api_key_id for q in queued)
    assert queued[0].model_scores == response.json()["results"][0]["labels"]


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


def test_feedback_enters_the_labeling_queue_as_a_suggestion(trained_models, client_with):
    payload = {"text": "Pinche naco", "labels": ["apariencia", "discriminatory"], "comment": "clasismo", "reference": "r-1"}
    response = client_with("classify").post("/api/v1/feedback", payload, format="json")
    assert response.status_code == 201, response.content
    row = QueuedText.objects.get(pk=response.json()["id"])
    assert (row.origin, row.status, row.suggested_labels, row.reference) == (
        "feedback", "pending", ["apariencia", "discriminatory"], "r-1"
    )
    bad = client_with("classify").post("/api/v1/feedback", {"text": "x", "labels": ["astrologia"]}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "labels"
    assert QueuedText.objects.count() == 1


def test_reference_movie_route_answers_every_genre_without_a_key(trained_models):
    response = APIClient().get("/classifier/", {"year": 1960, "title": "Ride", "plot": "the outlaw cowboy robs the ranch"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == [f"p_{g}" for g in GENRES]
    assert body["p_Western"] == max(body.values())
    assert body["p_News"] == 0.0  # not trained: too few examples
    assert APIClient().get("/classifier/", {"year": 1960}).json()["field"] == "plot"
    assert APIClient().get("/classifier/", {"plot": "x", "year": "sesenta"}).json()["field"] == "year"


def test_a_promoted_version_serves_without_a_restart(trained_models, client_with, settings):
    client = client_with("classify")
    first = client.post("/api/v1/classify", {"text": CALM}, format="json").json()
    old = trained_models["discrimination"]
    new = ModelVersion.objects.create(
        task="discrimination", version=old.version + 1, params=old.params,
        metrics={**old.metrics, "active_macro_f1": old.metrics["macro_f1"], "active_version": old.version},
        artifact_path=old.artifact_path, artifact_sha256=old.artifact_sha256,
    )
    assert model_version_promote(candidate=new).status == "active"
    second = client.post("/api/v1/classify", {"text": CALM}, format="json").json()
    assert (first["model_version"], second["model_version"]) == (old.version, old.version + 1)
    assert second["results"][0]["labels"] == first["results"][0]["labels"]
    assert serving.model_active_get(task="discrimination").version.pk == new.pk


def test_the_model_is_read_from_storage_once_not_per_request(trained_models, client_with):
    client = client_with("classify")
    assert client.post("/api/v1/classify", {"text": CALM}, format="json").status_code == 200
    archive = storages["archive"]
    path = trained_models["discrimination"].artifact_path
    kept = archive.open(path).read()
    archive.delete(path)  # later requests must not need the file
    try:
        answers = [client.post("/api/v1/classify", {"text": f"{CALM} {i}"}, format="json") for i in range(5)]
        assert [a.status_code for a in answers] == [200] * 5
    finally:
        archive.save(path, ContentFile(kept))
