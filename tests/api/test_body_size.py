"""The API's own body limit (`API["MAX_BODY_BYTES"]`), not Django's 2.5 MiB form limit, applies to API requests."""
from __future__ import annotations

import json

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_a_documented_size_batch_is_accepted(trained_models, client_with, api_fresh):
    texts = [("Qué día tan bonito en la ciudad de México " * 125)[:5000] for _ in range(1000)]
    body = json.dumps({"texts": texts}, ensure_ascii=False).encode()
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # over Django's limit, under the API's
    response = client_with("classify").post("/api/v1/tasks/discrimination/predict", body, content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    assert len(response.json()["results"]) == 1000


def test_an_oversized_body_is_the_json_413(client_with, api_fresh):
    body = b'{"text": "' + b"x" * (settings.API["MAX_BODY_BYTES"] + 1) + b'", "labels": []}'
    response = client_with("classify").post("/api/v1/feedback", body, content_type="application/json")
    assert response.status_code == 413 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "too_large"
