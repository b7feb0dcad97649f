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


@pytest.fixture
def hateval(hateval_head, dictionary, archive_dir):
    """800 HatEval training rows and 200 of its dev rows (held out), with the dictionary and a fresh archive."""
    hateval_head(800)
    hateval_head(200, split="dev")
