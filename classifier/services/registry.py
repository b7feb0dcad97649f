"""The model registry: versions numbered, registered with their artifact (`classifier/artifacts.py`), failed and promoted."""
from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from classifier.artifacts import artifact_save
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
    return numbered_version_create(
        model=ModelVersion, scope={"task": task}, fields={"status": ModelVersion.Status.FAILED, "reason": reason[:5000]}
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
