"""Writes of the training table: labelled data sets imported into LabeledText, a bad row rejected with its line."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from classifier.importers import READERS, ImportSpec, LabeledRow
from classifier.label_sets import task_labels
from classifier.models import LabeledText
from ingestion.records import RecordError, RecordInvalid
from ingestion.sources.files import FileUnreadable

BATCH_SIZE = 1000


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
