"""The api app's own tests (keys, limits, errors, the schema) all start from fresh limits, keys and models."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _api_fresh(api_fresh):
    """See tests/api_fixtures.py."""
