"""Writes of ingestion runs: start one (one at a time per source), add a batch's counts and errors, finish it."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ingestion.models import IngestionRun, Source
from ingestion.records import RecordError
from ingestion.services.posts import (
    StoreResult,
)

logger = logging.getLogger(__name__)


MAX_STORED_ERRORS = 500


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
