"""Fixtures shared by the classifier tests."""
from __future__ import annotations

import pytest

from classifier.selectors import serving


@pytest.fixture(autouse=True)
def fresh_serving():
    """No loaded model leaks from one test into the next."""
    serving.models_forget()
    yield
    serving.models_forget()
