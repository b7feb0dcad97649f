"""The active model of each task, loaded once per process and swapped when a new one is activated.

Each process keeps the loaded model in memory and asks the database at most
every `REFRESH_SECONDS` which version is active; a promotion elsewhere is
picked up within that time, without a restart, and a request never reads the
artifact from storage unless the version changed.
"""
from __future__ import annotations

import gc
import threading
import time
from dataclasses import dataclass

from classifier.artifacts import artifact_load
from classifier.engine.model import TaskModel
from classifier.models import ModelVersion

REFRESH_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class LoadedModel:
    version: ModelVersion
    model: TaskModel


_lock = threading.Lock()
_loaded: dict[str, LoadedModel] = {}
_checked_at: dict[str, float] = {}


def model_active_get(*, task: str) -> LoadedModel | None:
    """The task's active model, or None when no version is active."""
    now = time.monotonic()
    current = _loaded.get(task)
    if current is not None and now - _checked_at.get(task, 0.0) < REFRESH_SECONDS:
        return current
    active = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).first()
    with _lock:
        _checked_at[task] = now
        if active is None:
            _loaded.pop(task, None)
            return None
        current = _loaded.get(task)
        if current is None or current.version.pk != active.pk:
            model = artifact_load(path=active.artifact_path, sha256=active.artifact_sha256)
            current = _loaded[task] = LoadedModel(version=active, model=model)
            # A model is hundreds of thousands of long-lived objects; without this every full
            # garbage collection walks them all, which measured as 100+ ms stalls under load.
            gc.freeze()
        return current


def models_forget() -> None:
    """Drop every loaded model (tests, and after a storage change)."""
    with _lock:
        _loaded.clear()
        _checked_at.clear()
