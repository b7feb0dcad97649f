"""The model registry: artifacts saved with skops (never pickle) to the configured storage and loaded safely; versions numbered, registered, failed and promoted."""
from __future__ import annotations

import hashlib
import zipfile
from typing import Any, TypeVar

import skops.io as sio
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from classifier.engine.model import TaskModel, model_pack, model_stored, model_unpack
from classifier.models import EmbeddingVersion, ModelVersion

V = TypeVar("V", ModelVersion, EmbeddingVersion)


DEFAULT_TOLERANCE = 0.01


def numbered_version_create(*, model: type[V], scope: dict[str, str], fields: dict[str, Any]) -> V:
    """Create the next `version` within `scope` (a task, a language). Two trainings may read the
    same latest number at once; the unique constraint refuses the second, which takes the next."""
    for _attempt in range(3):
        latest = model.objects.filter(**scope).aggregate(Max("version"))["version__max"] or 0
        try:
            with transaction.atomic():
                return model.objects.create(**scope, version=latest + 1, **fields)
        except IntegrityError:
            continue
    raise RuntimeError(f"no se pudo numerar una versión nueva de {model._meta.verbose_name} ({scope})")


def model_version_register(*, task: str, model: Any, metrics: dict[str, Any], params: dict[str, Any]) -> ModelVersion:
    """Record a trained model as a candidate, with its artifact saved to storage."""
    version = numbered_version_create(model=ModelVersion, scope={"task": task}, fields={"metrics": metrics, "params": params})
    version.artifact_path, version.artifact_sha256 = artifact_save(task=task, version=version.version, obj=model)
    version.save(update_fields=["artifact_path", "artifact_sha256"])
    return version


def model_version_failed(*, task: str, reason: str) -> ModelVersion:
    """Record a training that did not finish, so an admin sees it next to the versions that did."""
    latest = ModelVersion.objects.filter(task=task).aggregate(Max("version"))["version__max"] or 0
    return ModelVersion.objects.create(
        task=task, version=latest + 1, status=ModelVersion.Status.FAILED, reason=reason[:5000]
    )


def model_version_promote(*, candidate: ModelVersion, tolerance: float = DEFAULT_TOLERANCE) -> ModelVersion:
    """Activate the candidate unless it is worse than the active version on the same held-out data.

    `candidate.metrics` must hold `macro_f1` and, when a version is active,
    `active_macro_f1` and `active_version` measured on the candidate's held-out
    split. The swap is one transaction: readers see the old or the new active
    version, never none or two.
    """
    with transaction.atomic():
        active = ModelVersion.objects.select_for_update().filter(task=candidate.task, status=ModelVersion.Status.ACTIVE).first()
        reason = _promotion_refusal(candidate=candidate, active=active, tolerance=tolerance)
        if reason:
            candidate.reason = reason
            candidate.save(update_fields=["reason"])
            return candidate
        if active is not None:
            active.status = ModelVersion.Status.RETIRED
            active.save(update_fields=["status"])
        candidate.status = ModelVersion.Status.ACTIVE
        candidate.activated_at = timezone.now()
        candidate.reason = "" if active is None else f"Reemplaza a v{active.version}."
        candidate.save(update_fields=["status", "activated_at", "reason"])
    return candidate


def _promotion_refusal(*, candidate: ModelVersion, active: ModelVersion | None, tolerance: float) -> str:
    if active is None:
        return ""
    metrics = candidate.metrics
    if metrics.get("active_version") != active.version or "active_macro_f1" not in metrics:
        return f"No se evaluó contra la versión activa v{active.version} con los mismos datos; sigue como candidata."
    mine, theirs = float(metrics["macro_f1"]), float(metrics["active_macro_f1"])
    if mine < theirs - tolerance:
        return (
            f"Macro F1 {mine:.3f} es peor que el {theirs:.3f} de la versión activa v{active.version} "
            f"en los mismos datos (tolerancia {tolerance:.3f}); sigue como candidata."
        )
    return ""


TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


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
    refused = [name for name in untrusted if not name.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ArtifactRefused(f"tipos no permitidos en el artefacto: {', '.join(sorted(refused))}")
    obj = sio.loads(data, trusted=untrusted)
    return model_unpack(obj) if model_stored(obj) else obj


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
