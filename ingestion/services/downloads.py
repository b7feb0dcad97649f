"""Downloads from a source: each batch's posts, raw archive and cursor move committed together."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ingestion.models import IngestionRun, RawBatch, Source, SourceCursor
from ingestion.selectors.dictionary import category_ids_by_slug, matcher_build
from ingestion.services.archive import raw_batch_write
from ingestion.services.posts import (
    StoreContext,
    StoreResult,
    tweets_store,
)
from ingestion.services.runs import ingestion_run_add, ingestion_run_finish, ingestion_run_start
from ingestion.sources import source_adapter
from ingestion.sources.base import CursorUpdate, RateLimited, SourceBatch


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
    """Download what is new from one source into the database and the raw archive."""
    source = Source.objects.get(pk=source_id)
    if source.retry_at and source.retry_at > timezone.now():
        return DownloadOutcome(run=None, retry_at=source.retry_at, skipped_reason="rate limited")
    run = ingestion_run_start(source=source)
    if run is None:
        return DownloadOutcome(run=None, skipped_reason="another run of this source is going")
    context = store_context_build(source=source, run=run)
    cursors = {c.key: c for c in source.cursors.all()}
    try:
        for sequence, batch in enumerate(source_adapter(source).batches(cursors=cursors), start=1):
            source_batch_store(source=source, run=run, batch=batch, sequence=sequence, context=context)
    except RateLimited as limited:
        Source.objects.filter(pk=source.pk).update(retry_at=limited.reset_at)
        run = ingestion_run_finish(run=run, status=IngestionRun.Status.RATE_LIMITED, message=str(limited))
        return DownloadOutcome(run=run, retry_at=limited.reset_at)
    except Exception as error:  # recorded for the admin, then re-raised for the worker's log
        ingestion_run_finish(run=run, status=IngestionRun.Status.FAILED, message=f"{type(error).__name__}: {error}")
        raise
    Source.objects.filter(pk=source.pk).update(retry_at=None)
    return DownloadOutcome(run=ingestion_run_finish(run=run))
