"""Model artifacts: saved with skops (never pickle) to the configured storage, loaded safely.

Loading trusts skops' own safe defaults (scikit-learn estimators, NumPy arrays, plain
containers) plus exactly the type names in `TRUSTED_TYPES`, and only bytes whose SHA-256
matches the one recorded when they were written: an artifact store an attacker could
write to cannot make a worker run their code. Written by the registry
(`services/registry.py`), read by serving (`selectors/serving.py`).
"""
from __future__ import annotations

import hashlib
import hmac
import zipfile
from typing import Any

import skops.io as sio
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from classifier.engine.model import TaskModel, model_pack, model_stored, model_unpack

# Types beyond skops' defaults that the engine's artifacts hold, by exact name (never a prefix:
# `builtins.` or `numpy.` would let a crafted file call `eval` or `numpy.load`). Every model the
# engine trains holds none today; tests/classifier/test_artifacts.py checks that with
# `skops.io.get_untrusted_types` on trained models, and a name joins this set only when that test
# shows the engine writes it.
TRUSTED_TYPES: frozenset[str] = frozenset()


class ArtifactRefused(Exception):
    """The artifact holds types that are not on the allow-list, or its checksum does not match."""


def artifact_storage():  # noqa: ANN201 (a Storage)
    return storages["archive"]


def artifact_path(*, task: str, version: int) -> str:
    return f"models/{task}/v{version}.skops"


def artifact_dumps(obj: Any) -> bytes:
    """skops bytes of the object; a task model is written as its stored form, a dict of trusted types."""
    stored = model_pack(obj) if isinstance(obj, TaskModel) else obj
    return sio.dumps(stored, compression=zipfile.ZIP_DEFLATED)


def artifact_loads(data: bytes) -> Any:
    """The object back, refused if it holds a type off the allow-list; a task model as a `TaskModel`."""
    untrusted = sio.get_untrusted_types(data=data)
    refused = [name for name in untrusted if name not in TRUSTED_TYPES]
    if refused:
        raise ArtifactRefused(f"tipos no permitidos en el artefacto: {', '.join(sorted(refused))}")
    obj = sio.loads(data, trusted=untrusted)
    return model_unpack(obj) if model_stored(obj) else obj


def stored_bytes_save(*, path: str, data: bytes) -> tuple[str, str]:
    """Write bytes to the artifact storage; return the path it chose and their SHA-256."""
    return artifact_storage().save(path, ContentFile(data)), hashlib.sha256(data).hexdigest()


def stored_bytes_load(*, path: str, sha256: str) -> bytes:
    """Read bytes back from the artifact storage, refused without a checksum or when they do not match it."""
    if not sha256:
        raise ArtifactRefused(f"el artefacto {path} no tiene suma de verificación registrada")
    with artifact_storage().open(path, "rb") as handle:
        data = handle.read()
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), sha256.lower()):
        raise ArtifactRefused(f"el artefacto {path} no coincide con su suma de verificación")
    return data


def artifact_save(*, task: str, version: int, obj: Any) -> tuple[str, str]:
    """Write the artifact; return its storage path and SHA-256."""
    return stored_bytes_save(path=artifact_path(task=task, version=version), data=artifact_dumps(obj))


def artifact_load(*, path: str, sha256: str) -> Any:
    return artifact_loads(stored_bytes_load(path=path, sha256=sha256))
