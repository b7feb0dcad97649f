"""Writes for the classifier: labelled data imports and the model registry."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ingestion.records import RecordError, RecordInvalid
from ingestion.sources.files import FileUnreadable

from .importers import READERS, ImportSpec, LabeledRow
from .models import EmbeddingVersion, LabeledText, ModelVersion
from .registry import artifact_save
from .task_definitions import task_labels

BATCH_SIZE = 1000
V = TypeVar("V", ModelVersion, EmbeddingVersion)
# How much worse (in held-out macro F1) a new version may be and still replace the active one.
DEFAULT_TOLERANCE = 0.01
_UPDATED_FIELDS = ("text", "labels", "weak", "split", "extra")


@dataclass(slots=True)
class LabeledImportSummary:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    rejected: int = 0
    label_counts: dict[str, int] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.new + self.updated + self.unchanged


def labeled_texts_import(
    *, spec: ImportSpec, on_batch: Callable[[LabeledImportSummary], None] | None = None
) -> LabeledImportSummary:
    """Import a labelled file: new rows added, changed rows updated, bad rows reported by line."""
    allowed = task_labels(task=spec.task)
    unknown = sorted(set(spec.label_columns) - allowed) if allowed is not None else []
    if unknown:
        raise FileUnreadable(f"columnas que no son etiquetas de la tarea {spec.task}: {', '.join(unknown)}")
    summary = LabeledImportSummary()
    seen: set[str] = set()
    batch: list[LabeledRow] = []
    for line, item in READERS[spec.fmt](spec):
        summary.read += 1
        row = _row_check(item, allowed=allowed, task=spec.task)
        if isinstance(row, RecordInvalid):
            summary.rejected += 1
            summary.errors.append(RecordError(line=line, message=str(row)))
        elif row.external_id in seen:
            summary.duplicate += 1
        else:
            seen.add(row.external_id)
            batch.append(row)
        if len(batch) >= BATCH_SIZE:
            _batch_store(spec=spec, rows=batch, summary=summary)
            batch = []
            if on_batch:
                on_batch(summary)
    if batch:
        _batch_store(spec=spec, rows=batch, summary=summary)
    return summary


def _row_check(item: LabeledRow | RecordInvalid, *, allowed: set[str] | None, task: str) -> LabeledRow | RecordInvalid:
    if isinstance(item, RecordInvalid) or allowed is None:
        return item
    unknown = sorted(set(item.labels) - allowed)
    if unknown:
        return RecordInvalid(f"etiquetas que la tarea {task} no tiene: {', '.join(unknown)}")
    return item


def _batch_store(*, spec: ImportSpec, rows: list[LabeledRow], summary: LabeledImportSummary) -> None:
    existing = {
        obj.external_id: obj
        for obj in LabeledText.objects.filter(
            task=spec.task, source=spec.source, external_id__in=[r.external_id for r in rows]
        )
    }
    changed = []
    for row in rows:
        obj = LabeledText(
            task=spec.task, source=spec.source, external_id=row.external_id, text=row.text,
            labels=sorted(set(row.labels)), weak=row.weak, split=row.split, extra=row.extra,
        )
        before = existing.get(row.external_id)
        for label in obj.labels:
            summary.label_counts[label] = summary.label_counts.get(label, 0) + 1
        if before is None:
            summary.new += 1
        elif all(getattr(before, f) == getattr(obj, f) for f in _UPDATED_FIELDS):
            summary.unchanged += 1
            continue
        else:
            summary.updated += 1
        changed.append(obj)
    with transaction.atomic():
        LabeledText.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["task", "source", "external_id"],
            update_fields=[*_UPDATED_FIELDS, "updated_at"],
        )




# --- Registry ------------------------------------------------------------------------

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
