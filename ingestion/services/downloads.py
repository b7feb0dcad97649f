"""Downloads from a source: each batch's posts, raw archive and cursor move committed together.

A source with a cap (`Source.monthly_cap`, `Source.run_cap`) is given what is left of it as a budget;
the run stops once it has read that many posts and ends as "detenida por el tope", so nothing drains a
paid account silently.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone

from ingestion.models import IngestionRun, RawBatch, Source, SourceCursor
from ingestion.selectors.dictionary import category_ids_by_slug, matcher_build
from ingestion.selectors.sources import SourceBudget, source_budget
from ingestion.services.archive import raw_batch_write
from ingestion.services.posts import (
    StoreContext,
    StoreResult,
    tweets_store,
)
from ingestion.services.runs import ingestion_run_add, ingestion_run_finish, ingestion_run_start
from ingestion.sources import source_adapter, source_read_minimum
from ingestion.sources.base import BudgetReached, CursorUpdate, RateLimited, SourceBatch


def store_context_build(*, source: Source | None, run: IngestionRun | None, raw_batch: RawBatch | None = None) -> StoreContext:
    return StoreContext(
        matcher=matcher_build(),
        category_ids=category_ids_by_slug(),
        source=source,
        run=run,
        raw_batch=raw_batch,
        now=timezone.now(),
    )


def _cursors_apply(*, source: Source, updates: Iterable[CursorUpdate]) -> None:
    for update in updates:
        cursor, _ = SourceCursor.objects.select_for_update().get_or_create(source=source, key=update.key)
        cursor.query = update.query or cursor.query
        if update.newest_id is not None:
            cursor.newest_id = update.newest_id
        if update.position is not None:
            cursor.position = update.position
        cursor.save()


def source_batch_store(*, source: Source, run: IngestionRun, batch: SourceBatch, sequence: int, context: StoreContext) -> StoreResult:
    """Archive a batch, then store its posts, counts and cursor in one transaction."""
    raw_batch = raw_batch_write(source=source, run=run, items=batch.items, sequence=sequence) if batch.items else None
    with transaction.atomic():
        stored = tweets_store(
            records=batch.records,
            context=dataclasses.replace(context, raw_batch=raw_batch),
        )
        _cursors_apply(source=source, updates=batch.cursor_updates)
        ingestion_run_add(run=run, fetched=len(batch.records) + len(batch.errors), stored=stored, errors=batch.errors)
    return stored


@dataclass(slots=True)
class DownloadOutcome:
    run: IngestionRun | None
    retry_at: datetime | None = None  # when the source asked us to come back
    skipped_reason: str = ""
    notes: list[str] = field(default_factory=list)


def source_download(*, source_id: int) -> DownloadOutcome:
    """Download what is new from one source into the database and the raw archive, within its budget."""
    source = Source.objects.get(pk=source_id)
    if source.retry_at and source.retry_at > timezone.now():
        return DownloadOutcome(run=None, retry_at=source.retry_at, skipped_reason="rate limited")
    budget = source_budget(source=source)
    allowance = budget.allowance
    if allowance is not None and allowance < source_read_minimum(source):
        return DownloadOutcome(run=None, skipped_reason="cap reached")
    run = ingestion_run_start(source=source)
    if run is None:
        return DownloadOutcome(run=None, skipped_reason="another run of this source is going")
    context = store_context_build(source=source, run=run)
    cursors = {c.key: c for c in source.cursors.all()}
    read = 0
    capped = ""
    try:
        batches = source_adapter(source, budget=allowance).batches(cursors=cursors)
        for sequence, batch in enumerate(batches, start=1):
            source_batch_store(source=source, run=run, batch=batch, sequence=sequence, context=context)
            source_read_note(source=source, batch=batch)
            read += len(batch.records) + len(batch.errors)
            if allowance is not None and read >= allowance:
                capped = "se leyeron tantas publicaciones como permite el tope"
                break  # an adapter that cannot size its requests is stopped here
    except BudgetReached as reached:
        capped = str(reached)
    except RateLimited as limited:
        Source.objects.filter(pk=source.pk).update(retry_at=limited.reset_at)
        run = ingestion_run_finish(run=run, status=IngestionRun.Status.RATE_LIMITED, message=str(limited))
        return DownloadOutcome(run=run, retry_at=limited.reset_at)
    except Exception as error:  # recorded for the admin, then re-raised for the worker's log
        message = f"{type(error).__name__}: {error}"
        Source.objects.filter(pk=source.pk).update(failures=F("failures") + 1, last_error=message[:2000])
        ingestion_run_finish(run=run, status=IngestionRun.Status.FAILED, message=message)
        raise
    Source.objects.filter(pk=source.pk).update(retry_at=None)
    if capped:
        message = _capped_message(budget=budget, read=read, reason=capped)
        return DownloadOutcome(run=ingestion_run_finish(run=run, status=IngestionRun.Status.CAPPED, message=message))
    return DownloadOutcome(run=ingestion_run_finish(run=run))


def source_read_note(*, source: Source, batch: SourceBatch) -> None:
    """Keep the source's health: when it was last read, and the newest post it has read."""
    now = timezone.now()
    newest = max((record.created_at for record in batch.records if record.created_at), default=None)
    fields: dict[str, datetime] = {"last_read_at": now}
    if newest is not None and (source.last_event_at is None or newest > source.last_event_at):
        fields["last_event_at"] = source.last_event_at = min(newest, now)
    Source.objects.filter(pk=source.pk).update(**fields)


def _capped_message(*, budget: SourceBudget, read: int, reason: str) -> str:
    parts = [f"Detenida por el tope: {reason}. Leídas en esta ejecución: {read}"]
    if budget.run_cap is not None:
        parts.append(f"tope por ejecución: {budget.run_cap}")
    if budget.monthly_cap is not None:
        resets = formats.date_format(timezone.localtime(budget.resets_at), "j \\d\\e F")
        parts.append(
            f"leídas este mes: {budget.read_month + read} de {budget.monthly_cap} (el tope mensual se renueva el {resets})"
        )
    return "; ".join(parts) + "."
