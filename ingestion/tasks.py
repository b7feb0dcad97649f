"""Celery tasks for ingestion: thin adapters that take ids and call services."""
from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import selectors, services

logger = logging.getLogger(__name__)


@shared_task(name="ingestion.tasks.sources_download_due", soft_time_limit=60, time_limit=90)
def sources_download_due() -> list[int]:
    """Queue a download for every enabled source that is not waiting out a rate limit."""
    now = timezone.now()
    queued = []
    for source in selectors.sources_enabled():
        if source.retry_at and source.retry_at > now:
            continue
        source_download_task.delay(source.pk)
        queued.append(source.pk)
    return queued


@shared_task(
    name="ingestion.tasks.source_download",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=10 * 60,
    time_limit=11 * 60,
)
def source_download_task(source_id: int) -> int | None:
    outcome = services.source_download(source_id=source_id)
    if outcome.run and outcome.run.new:
        # The run's batches are committed by now: score them next.
        from classifier.tasks import run_score_task

        run_score_task.delay(outcome.run.pk)
    if outcome.run and outcome.retry_at:
        # Rate limited: come back once when the window reopens (the beat entry
        # would too, but this may be sooner). The run is already recorded.
        source_download_task.apply_async((source_id,), eta=outcome.retry_at)
    if outcome.skipped_reason:
        logger.info("source %s not downloaded: %s", source_id, outcome.skipped_reason)
    return outcome.run.pk if outcome.run else None
