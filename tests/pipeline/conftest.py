"""Pipeline fixtures: a newly activated model is served at once (no refresh interval to wait out)."""
from __future__ import annotations

import pytest

from classifier.selectors import serving


@pytest.fixture(autouse=True)
def refresh_at_once(monkeypatch):
    monkeypatch.setattr(serving, "REFRESH_SECONDS", 0.0)
