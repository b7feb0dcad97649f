"""POST /api/v1/classify: every label with terms, spans and an explanation; thresholds; texts queued for labeling;
a promoted version served without a restart."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from classifier.selectors import serving
from classifier.services.registry import model_version_promote
from labeling.models import QueuedText
from tests.factories import ModelVersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_fresh")]

SLUR = "Pinche naco feminazi, vete de aquí"
CALM = "Buenos días, hoy hay tráfico en Insurgentes"


def error_of(response) -> dict:  # noqa: ANN001
    body = response.json()
    assert set(body) >= {"code", "message", "field"}, body
    return body


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


def test_a_promoted_version_serves_without_a_restart(trained_models, client_with, settings):
    client = client_with("classify")
    first = client.post("/api/v1/classify", {"text": CALM}, format="json").json()
    old = trained_models["discrimination"]
    new = ModelVersionFactory.create(
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


def test_too_many_texts_and_several_errors_at_once(client_with, settings):
    settings.API = {**settings.API, "MAX_TEXTS": 2}
    response = client_with("classify").post("/api/v1/classify", {"texts": ["a", "b", "c"]}, format="json")
    assert response.status_code == 400 and (error_of(response)["code"], error_of(response)["field"]) == ("max_length", "texts")
    several = client_with("classify").post("/api/v1/classify", {"texts": ["ok", "", 3]}, format="json")
    error = error_of(several)
    assert [(e["field"], e["code"]) for e in error["errors"]] == [("texts.1", "blank"), ("texts.2", "invalid")]
