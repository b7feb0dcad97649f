"""Dashboard fixtures: an active model version (its predictions are written by the tests)."""
from __future__ import annotations

import pytest

from classifier.models import ModelVersion
from tests.factories import ModelVersionFactory


@pytest.fixture
def version(db) -> ModelVersion:
    """An active discrimination model (its predictions are written by the tests)."""
    return ModelVersionFactory.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE)
