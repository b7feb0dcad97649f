"""File imports: posts read from a file in batches, each bad record rejected with its line, the rest kept."""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from ingestion.models import IngestionRun, Source
from ingestion.records import RecordError, TweetRecord
from ingestion.services.downloads import store_context_build
from ingestion.services.posts import (
    PreparedBatch,
    StoreContext,
    StoreResult,
    tweets_insert,
    tweets_prepare,
)
from ingestion.services.runs import ingestion_run_add, ingestion_run_finish, ingestion_run_start
from ingestion.sources.files import FileReader


def source_file_get() -> Source:
    """The source that file imports are recorded under."""
    source, _ = Source.objects.get_or_create(
        slug="files", defaults={"name": "Archivos importados", "kind": Source.Kind.FILE, "enabled": False}
    )
    return source


@dataclass(slots=True)
class ImportSummary:
    run: IngestionRun
    read: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    undated: int = 0
    errors: list[RecordError] = field(default_factory=list)
    # (id, text) of each post the batch just committed stored, for `on_batch` (scoring it
    # straight away needs no read back); replaced at every batch, so memory stays flat.
    batch_stored: list[tuple[int, str]] = field(default_factory=list)
    # Not PostgreSQL (the embedded SQLite): batches stored in turn through the ORM, the slower way.
    embedded: bool = False


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
        busy = IngestionRun.objects.filter(source=source, status=IngestionRun.Status.RUNNING).first()
        raise FileImportBusy(
            f"otra importación de archivos está en curso (ejecución #{busy and busy.pk}: {busy and busy.message}); "
            "espere a que termine o, si su proceso murió en otro equipo, márquela como fallida con "
            f"manage.py ingestion_run_fail {busy and busy.pk}"
        )
    summary = ImportSummary(run=run, embedded=connection.vendor != "postgresql")
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
    # Whether the last batch stored held posts already stored: while none did (a first
    # import), the next batch is copied without looking its ids up first.
    seen = {"stored": True}

    def store(records: list[TweetRecord], errors: list[RecordError], prepared: PreparedBatch) -> None:
        with transaction.atomic():
            stored = tweets_insert(batch=prepared)
            ingestion_run_add(run=run, fetched=len(records) + len(errors), stored=stored, errors=errors)
        seen["stored"] = stored.duplicate > 0
        _summary_add(summary, records=records, errors=errors, stored=stored)
        if on_batch:
            on_batch(summary)

    def prepare(records: list[TweetRecord]) -> PreparedBatch:
        return tweets_prepare(records=records, context=context, look_up=seen["stored"])

    batches = _batched(reader.records(), batch_size)
    if connection.in_atomic_block or connection.vendor != "postgresql":
        for records, errors in batches:
            store(records, errors, prepare(records))
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer:
        pending: Future[None] | None = None
        try:
            for records, errors in batches:
                prepared = prepare(records)
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
    summary.batch_stored = stored.stored


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
