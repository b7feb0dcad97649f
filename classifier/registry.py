"""Model artifacts: saved with skops (never pickle) to the configured storage, loaded safely.

Loading refuses any type outside scikit-learn, NumPy and SciPy, so an artifact
store an attacker could write to cannot make a worker run their code.
"""
from __future__ import annotations

import hashlib
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


def artifact_dumps(obj: Any) -> bytes:
    return sio.dumps(obj)


def artifact_loads(data: bytes) -> Any:
    untrusted = sio.get_untrusted_types(data=data)
    refused = [name for name in untrusted if not name.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ArtifactRefused(f"tipos no permitidos en el artefacto: {', '.join(sorted(refused))}")
    return sio.loads(data, trusted=untrusted)


def artifact_save(*, task: str, version: int, obj: Any) -> tuple[str, str]:
    """Write the artifact; return its storage path and SHA-256."""
    data = artifact_dumps(obj)
    path = artifact_storage().save(artifact_path(task=task, version=version), ContentFile(data))
    return path, hashlib.sha256(data).hexdigest()


def artifact_load(*, path: str, sha256: str) -> Any:
    with artifact_storage().open(path, "rb") as handle:
        data = handle.read()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise ArtifactRefused(f"el artefacto {path} no coincide con su suma de verificación")
    return artifact_loads(data)
