"""Serving: the active model version is loaded once, kept in memory, and swapped without a restart."""
from __future__ import annotations

import numpy as np
import pytest

from classifier.selectors import serving
from classifier.services.registry import (
    model_version_promote,
    model_version_register,
)
from tests.classifier.toy import TEXTS, trained


@pytest.mark.django_db
def test_serving_picks_up_a_new_active_version_without_restart(archive_dir, monkeypatch):
    monkeypatch.setattr(serving, "REFRESH_SECONDS", 0.0)
    assert serving.model_active_get(task="t") is None
    model_version_promote(
        candidate=model_version_register(task="t", model=trained(c=0.01), metrics={"macro_f1": 0.5}, params={})
    )
    first = serving.model_active_get(task="t")
    assert first is not None and first.version.version == 1
    assert serving.model_active_get(task="t").model is first.model  # kept in memory, not reloaded

    model_version_promote(candidate=model_version_register(
        task="t", model=trained(c=100.0), params={}, metrics={"macro_f1": 0.9, "active_version": 1, "active_macro_f1": 0.5},
    ))
    second = serving.model_active_get(task="t")
    assert second.version.version == 2
    assert not np.allclose(second.model.predict_proba(TEXTS), first.model.predict_proba(TEXTS))
