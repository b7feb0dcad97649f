"""Celery tasks that chain the steps: download every source, score what a run stored, catch up the history.

Thin adapters that take ids and call services. Their names are the ones beat's
rows and queued messages already use, so they keep the app they were first
declared in.
"""
from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from ingestion.selectors.sources import sources_enabled
from ingestion.services.downloads import source_download
from labeling.services.campaigns import campaigns_extend_run
from pipeline.services.history import rollups_history_catch_up
from pipeline.services.scoring import tweets_score

logger = logging.getLogger(__name__)


@shared_task(name="ingestion.tasks.sources_download_due", soft_time_limit=60, time_limit=90)
def sources_download_due() -> list[int]:
    """Queue a download for every enabled source that is not waiting out a rate limit."""
    now = timezone.now()
    queued = []
    for source in sources_enabled():
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
    outcome = source_download(source_id=source_id)
    if outcome.run and outcome.run.new:
        # The run's batches are committed by now: score them next.
        run_score_task.delay(outcome.run.pk)
    if outcome.run and outcome.retry_at:
        # Rate limited: come back once when the window reopens (the beat entry
        # would too, but this may be sooner). The run is already recorded.
        source_download_task.apply_async((source_id,), eta=outcome.retry_at)
    if outcome.skipped_reason:
        logger.info("source %s not downloaded: %s", source_id, outcome.skipped_reason)
    return outcome.run.pk if outcome.run else None


@shared_task(name="classifier.tasks.run_score", acks_late=True, soft_time_limit=15 * 60, time_limit=16 * 60)
def run_score_task(run_id: int) -> int:
    """Score the posts an ingestion run stored (a no-op while no model is active), then let them
    join the running labeling campaigns they match (after scoring: active learning needs the scores)."""
    scored = tweets_score(run_id=run_id).scored
    campaigns_extend_run(run_id=run_id)
    return scored


SPREAD_POSTS = 200_000  # posts one scoring task scores before it hands over to a fresh copy of itself


@shared_task(name="classifier.tasks.posts_score", acks_late=True, soft_time_limit=15 * 60, time_limit=16 * 60)
def posts_score_task(limit: int = SPREAD_POSTS, follow: bool = True) -> int:
    """Score up to `limit` posts the active version has not scored, then (with `follow`) queue a copy of this task if more are left.

    Queued n times it keeps n worker processes (on any machines) busy: each copy
    claims its own ranges of posts (`classifier/services/scoring_marks.py`), so
    none scores another's. A copy that dies leaves its range to the next copy's
    search of the gap below the claimed mark.
    """
    scored = tweets_score(limit=limit).scored
    if follow and scored >= limit:
        posts_score_task.delay(limit)
    return scored


@shared_task(name="dashboard.tasks.rollups_history_catch_up", soft_time_limit=25 * 60, time_limit=30 * 60)
def rollups_history_catch_up_task() -> dict[str, int | bool | None]:
    """Score and count the active model's history for the semáforo (a no-op once complete)."""
    result = rollups_history_catch_up()
    return {"version": result.version, "scored": result.scored, "complete": result.complete}
