"""/api/v1/models: the model versions, newest first, with their metrics, for keys holding the `read` scope."""
from __future__ import annotations

import pytest

from classifier.models import ModelVersion
from classifier.serializers import ModelVersionOutput
from tests.api_fixtures import ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_fresh")]


def test_models_newest_first_with_metrics_and_filters(reader, versions):
    body = ok(reader.get("/api/v1/models"))
    got = [(row["task"], row["version"], row["status"]) for row in body["results"]]
    assert got == [("movie-genres", 1, "active"), ("discrimination", 3, "candidate"),
                   ("discrimination", 2, "active"), ("discrimination", 1, "retired")]
    v2 = body["results"][2]
    assert set(v2) == set(ModelVersionOutput().fields)
    assert v2["metrics"] == {"macro_f1": 0.7} and v2["activated_at"] == "2026-11-02T06:00:00-06:00"
    assert body["results"][1]["activated_at"] is None

    only = ok(reader.get("/api/v1/models", {"task": "discrimination", "status": "active"}))["results"]
    assert [(row["task"], row["version"]) for row in only] == [("discrimination", 2)]
    assert [row["version"] for row in ok(reader.get("/api/v1/models", {"task": "discrimination"}))["results"]] == [3, 2, 1]
    assert ok(reader.get("/api/v1/models", {"task": "no-existe"}))["results"] == []


def test_model_pages(reader, versions):
    first = ok(reader.get("/api/v1/models", {"page_size": 3}))
    second = ok(reader.get(first["next"]))
    assert second["next"] is None
    versions_seen = [(row["task"], row["version"]) for row in first["results"] + second["results"]]
    assert len(versions_seen) == len(set(versions_seen)) == ModelVersion.objects.count() == 4
