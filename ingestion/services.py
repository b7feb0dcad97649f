"""Writes for ingestion: runs, downloads from sources, and file imports."""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from . import selectors
from .archive import raw_batch_write
from .models import IngestionRun, RawBatch, Source, SourceCursor
from .records import RecordError, TweetRecord
from .sources import CursorUpdate, RateLimited, SourceBatch, source_adapter
from .sources.files import FileReader
from .store import PreparedBatch, StoreContext, StoreResult, tweets_insert, tweets_prepare, tweets_store

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 500


# --- Runs -------------------------------------------------------------------------

def ingestion_runs_expire(*, source: Source) -> int:
    """Mark as abandoned the running runs whose worker stopped sending heartbeats."""
    lease = timedelta(seconds=settings.INGESTION["RUN_LEASE_SECONDS"])
    return IngestionRun.objects.filter(
        source=source, status=IngestionRun.Status.RUNNING, heartbeat_at__lt=timezone.now() - lease
    ).update(
        status=IngestionRun.Status.ABANDONED,
        finished_at=timezone.now(),
        message="El proceso se detuvo sin terminar (sin latido dentro del plazo).",
    )


def ingestion_run_start(*, source: Source, label: str = "") -> IngestionRun | None:
    """Open a run for the source, or return None when another run of it is going.

    The partial unique constraint `one_running_run_per_source` is the guard: two
    workers racing to start the same source both try to insert, and the database
    lets exactly one through.
    """
    ingestion_runs_expire(source=source)
    try:
        with transaction.atomic():
            return IngestionRun.objects.create(source=source, label=label)
    except IntegrityError:
        return None


def ingestion_run_add(*, run: IngestionRun, fetched: int, stored: StoreResult, errors: Sequence[RecordError]) -> None:
    """Add a batch's counts to the run (inside the batch's transaction) and beat its heart."""
    IngestionRun.objects.filter(pk=run.pk).update(
        fetched=F("fetched") + fetched,
        new=F("new") + stored.new,
        duplicate=F("duplicate") + stored.duplicate,
        rejected=F("rejected") + len(errors),
        heartbeat_at=timezone.now(),
    )
    if errors:
        run.refresh_from_db(fields=["errors"])
        room = MAX_STORED_ERRORS - len(run.errors)
        if room > 0:
            run.errors = run.errors + [e.as_dict() for e in errors[:room]]
            run.save(update_fields=["errors"])


def ingestion_run_finish(*, run: IngestionRun, status: str | None = None, message: str = "") -> IngestionRun:
    run.refresh_from_db()
    if status is None:
        status = IngestionRun.Status.PARTIAL if run.rejected else IngestionRun.Status.SUCCEEDED
    run.status = status
    run.message = message[:5000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])
    return run


# --- Storing batches ----------------------------------------------------------------

def store_context_build(*, source: Source | None, run: IngestionRun | None, raw_batch: RawBatch | None = None) -> StoreContext:
    return StoreContext(
        matcher=selectors.matcher_build(),
        category_ids=selectors.category_ids_by_slug(),
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


# --- Downloads ------------------------------------------------------------------------

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


def source_file_get() -> Source:
    """The source that file imports are recorded under."""
    source, _ = Source.objects.get_or_create(
        slug="files", defaults={"name": "Archivos importados", "kind": Source.Kind.FILE, "enabled": False}
    )
    return source


# --- File imports ------------------------------------------------------------------

@dataclass(slots=True)
class ImportSummary:
    run: IngestionRun
    read: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    undated: int = 0
    errors: list[RecordError] = field(default_factory=list)


def tweets_import_file(
    *, reader: FileReader, batch_size: int | None = None, on_batch: Callable[[ImportSummary], None] | None = None
) -> ImportSummary:
    """Import every good record of a file; collect an error for each bad one.

    Each batch commits on its own, so an interrupted import keeps what it
    stored, and importing the same file again adds nothing.
    """
    source = source_file_get()
    run = ingestion_run_start(source=source, label=f"import:{reader.path.name}")
    if run is None:
        raise FileImportBusy("otra importación de archivos está en curso; espere a que termine")
    summary = ImportSummary(run=run)
    context = store_context_build(source=source, run=run)
    batch_size = batch_size or settings.INGESTION["BATCH_SIZE"]
    try:
        with _gc_relaxed():
            _import_batches(reader=reader, run=run, context=context, summary=summary, batch_size=batch_size, on_batch=on_batch)
    except BaseException as error:  # KeyboardInterrupt included: the run must not stay "running"
        ingestion_run_finish(run=run, status=IngestionRun.Status.FAILED, message=f"{type(error).__name__}: {error}")
        raise
    status = IngestionRun.Status.FAILED if not (summary.new or summary.duplicate) else None
    summary.run = ingestion_run_finish(run=run, status=status)
    return summary


class FileImportBusy(Exception):
    pass


def _import_batches(
    *, reader: FileReader, run: IngestionRun, context: StoreContext, summary: ImportSummary,
    batch_size: int, on_batch: Callable[[ImportSummary], None] | None,
) -> None:
    """Prepare each batch here and store it on a second thread, so that parsing
    and matching (Python) overlap with inserting and committing (PostgreSQL).

    Inside a caller's transaction (or on SQLite) a second connection would not
    see, nor be part of, that transaction: batches are then stored in turn.
    """
    def store(records: list[TweetRecord], errors: list[RecordError], prepared: PreparedBatch) -> None:
        with transaction.atomic():
            stored = tweets_insert(batch=prepared)
            ingestion_run_add(run=run, fetched=len(records) + len(errors), stored=stored, errors=errors)
        _summary_add(summary, records=records, errors=errors, stored=stored)
        if on_batch:
            on_batch(summary)

    batches = _batched(reader.records(), batch_size)
    if connection.in_atomic_block or connection.vendor != "postgresql":
        for records, errors in batches:
            store(records, errors, tweets_prepare(records=records, context=context))
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer:
        pending: Future[None] | None = None
        try:
            for records, errors in batches:
                prepared = tweets_prepare(records=records, context=context)
                if pending is not None:
                    pending.result()  # at most one batch in flight; re-raises its error
                pending = writer.submit(store, records, errors, prepared)
            if pending is not None:
                pending.result()
        finally:
            # `connection` resolves per thread: inside the lambda it is the writer's own.
            writer.submit(lambda: connection.close()).result()


@contextlib.contextmanager
def _gc_relaxed() -> Iterator[None]:
    """Collect garbage less often while importing.

    A batch allocates hundreds of thousands of short-lived objects and no
    reference cycles worth chasing; the default thresholds run the collector
    over them again and again (about a tenth of the import's time).
    """
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def _summary_add(summary: ImportSummary, *, records: list[TweetRecord], errors: list[RecordError], stored: StoreResult) -> None:
    summary.read += len(records) + len(errors)
    summary.new += stored.new
    summary.duplicate += stored.duplicate
    summary.rejected += len(errors)
    summary.undated += sum(1 for r in records if r.created_at is None)
    summary.errors.extend(errors)


def _batched(parsed: Iterable[tuple[int, TweetRecord | Exception]], size: int) -> Iterator[tuple[list[TweetRecord], list[RecordError]]]:
    records: list[TweetRecord] = []
    errors: list[RecordError] = []
    for line, item in parsed:
        if isinstance(item, TweetRecord):
            records.append(item)
        else:
            errors.append(RecordError(line=line, message=str(item)))
        if len(records) + len(errors) >= size:
            yield records, errors
            records, errors = [], []
    if records or errors:
        yield records, errors


# --- Demo -----------------------------------------------------------------------------

def demo_source_get_or_create() -> tuple[Source, bool]:
    return Source.objects.get_or_create(
        slug="demo",
        defaults={
            "name": "Demostración (corpus sintético)",
            "kind": Source.Kind.REPLAY,
            "config": {"batch_size": 25},
        },
    )


def demo_backlog_load(*, source: Source, count: int, spread: timedelta) -> IngestionRun:
    """Feed `count` demo posts dated over the past `spread`, through the normal batch path."""
    from .sources.replay import ReplaySource

    run = ingestion_run_start(source=source, label="demo backlog")
    if run is None:
        raise FileImportBusy("la fuente de demostración está descargando; inténtelo después")
    context = store_context_build(source=source, run=run)
    cursors = {c.key: c for c in source.cursors.all()}
    adapter = ReplaySource(source, spread=spread, count=count)
    for sequence, batch in enumerate(adapter.batches(cursors=cursors), start=1):
        source_batch_store(source=source, run=run, batch=batch, sequence=sequence, context=context)
    return ingestion_run_finish(run=run)


# --- Dictionary -----------------------------------------------------------------------

def dictionary_seed() -> None:
    """Make sure the original dictionary is there (the data migration does this on migrate)."""
    from .dictionary_seed import CATEGORIES, TERMS
    from .models import Category, Term

    categories = {}
    for slug, name, description in CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for slug, texts in TERMS.items():
        for text in texts:
            term, _ = Term.objects.get_or_create(text=text)
            term.categories.add(categories[slug])
