"""The toxicity model the endpoint tests start from."""
from __future__ import annotations

import pytest

from classifier.models import ModelVersion


@pytest.mark.django_db
def test_the_fixture_offers_toxicity_and_identity_attack_and_not_threat(trained_toxicity_model):
    version = trained_toxicity_model
    assert version.task == "toxicity" and version.status == ModelVersion.Status.ACTIVE
    assert {"TOXICITY", "IDENTITY_ATTACK"} <= set(version.metrics["labels"])
    assert "THREAT" in version.metrics["not_offered"] and "THREAT" not in version.metrics["labels"]
