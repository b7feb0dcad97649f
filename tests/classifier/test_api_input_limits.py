"""Request inputs a client could abuse: thousands of threshold labels, and feedback for a label set nobody has."""
from __future__ import annotations

import pytest

from labeling.models import QueuedText

pytestmark = pytest.mark.django_db


def test_too_many_thresholds_are_refused_with_a_short_error(trained_models, client_with, api_fresh):
    client = client_with("classify")
    many = {f"etiqueta-{i}": 0.5 for i in range(160_000)}
    response = client.post("/api/v1/classify", {"text": "hola", "thresholds": many}, format="json")
    assert response.status_code == 400 and len(response.content) < 1000
    assert (response.json()["code"], response.json()["field"]) == ("max_length", "thresholds")


def test_unknown_threshold_labels_are_listed_only_in_part(trained_models, client_with, api_fresh):
    unknown = {f"{'x' * 500}-{i:02d}": 0.5 for i in range(50)}
    response = client_with("classify").post("/api/v1/classify", {"text": "hola", "thresholds": unknown}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["field"] == "thresholds"
    assert body["message"].endswith(" y 40 más.") and len(body["message"]) < 1000


def test_feedback_accepts_only_the_known_label_sets(client_with, dictionary, api_fresh):
    client = client_with("classify")
    refused = client.post("/api/v1/feedback", {"text": "hola", "labels": [], "task": "lo-que-sea"}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "task"
    assert not QueuedText.objects.exists()
    movie = client.post("/api/v1/feedback", {"text": "A ghost story", "labels": ["Horror"], "task": "movie-genres"},
                        format="json")
    assert movie.status_code == 201
    assert client.post("/api/v1/feedback", {"text": "Pinche naco", "labels": ["discriminatory"]}, format="json").status_code == 201
