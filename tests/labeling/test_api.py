"""POST /api/v1/feedback: a client's correction enters the labeling queue as a suggestion."""
from __future__ import annotations

import pytest

from labeling.models import QueuedText

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_fresh")]


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
