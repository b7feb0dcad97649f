"""Celery tasks for the classifier: thin adapters that take ids and call services."""
from __future__ import annotations

from celery import shared_task

from .scoring import tweets_score
from .training import tasks_retrain as tasks_retrain_service


@shared_task(name="classifier.tasks.run_score", acks_late=True, soft_time_limit=15 * 60, time_limit=16 * 60)
def run_score_task(run_id: int) -> int:
    """Score the posts an ingestion run stored (a no-op while no model is active), then let them
    join the running labeling campaigns they match (after scoring: active learning needs the scores)."""
    from labeling.campaigns import campaigns_extend_run

    scored = tweets_score(run_id=run_id).scored
    campaigns_extend_run(run_id=run_id)
    return scored


@shared_task(name="classifier.tasks.tasks_retrain", soft_time_limit=3 * 60 * 60, time_limit=3 * 60 * 60 + 300)
def tasks_retrain() -> dict[str, str]:
    """Retrain every task that has labelled data; a failure is recorded, the active model stays."""
    return tasks_retrain_service()
