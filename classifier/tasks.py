"""Celery tasks for the classifier: thin adapters that take ids and call services."""
from __future__ import annotations

from celery import shared_task

from .scoring import tweets_score


@shared_task(name="classifier.tasks.run_score", acks_late=True, soft_time_limit=15 * 60, time_limit=16 * 60)
def run_score_task(run_id: int) -> int:
    """Score the posts an ingestion run stored (a no-op while no model is active)."""
    return tweets_score(run_id=run_id).scored
