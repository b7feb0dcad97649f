"""Model artifacts: saved with skops (never pickle) to the configured storage, loaded safely.

Loading refuses any type outside scikit-learn, NumPy and SciPy, so an artifact
store an attacker could write to cannot make a worker run their code.
"""
from __future__ import annotations

import hashlib
import zipfile
from typing import Any

import skops.io as sio
from django.core.files.base import ContentFile
from django.core.files.storage import storages

TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


class ArtifactRefused(Exception):
    """The artifact holds types that are not on the allow-list, or its checksum does not match."""


def artifact_storage():  # noqa: ANN201 (a Storage)
    return storages["archive"]


def artifact_path(*, task: str, version: int) -> str:
    return f"models/{task}/v{version}.skops"


def _task_model(obj: Any) -> bool:
    from .engine import MODEL_FORMAT

    return isinstance(obj, dict) and obj.get("format") == MODEL_FORMAT and "vectorizer" in obj


def artifact_dumps(obj: Any) -> bytes:
    """skops bytes of the object; a task model is written in its compact storage form."""
    from .engine import model_pack

    return sio.dumps(model_pack(obj) if _task_model(obj) else obj, compression=zipfile.ZIP_DEFLATED)


def artifact_loads(data: bytes) -> Any:
    untrusted = sio.get_untrusted_types(data=data)
    refused = [name for name in untrusted if not name.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ArtifactRefused(f"tipos no permitidos en el artefacto: {', '.join(sorted(refused))}")
    obj = sio.loads(data, trusted=untrusted)
    if _task_model(obj):
        from .engine import model_unpack

        return model_unpack(obj)
    return obj


def stored_bytes_save(*, path: str, data: bytes) -> tuple[str, str]:
    """Write bytes to the artifact storage; return the path it chose and their SHA-256."""
    return artifact_storage().save(path, ContentFile(data)), hashlib.sha256(data).hexdigest()


def stored_bytes_load(*, path: str, sha256: str) -> bytes:
    """Read bytes back from the artifact storage, refused if they do not match the checksum."""
    with artifact_storage().open(path, "rb") as handle:
        data = handle.read()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise ArtifactRefused(f"el artefacto {path} no coincide con su suma de verificación")
    return data


def artifact_save(*, task: str, version: int, obj: Any) -> tuple[str, str]:
    """Write the artifact; return its storage path and SHA-256."""
    return stored_bytes_save(path=artifact_path(task=task, version=version), data=artifact_dumps(obj))


def artifact_load(*, path: str, sha256: str) -> Any:
    return artifact_loads(stored_bytes_load(path=path, sha256=sha256))
