"""Celery tasks for the classifier: thin adapters that take ids and call services."""
from __future__ import annotations

from celery import shared_task

from classifier.services.training import tasks_retrain as tasks_retrain_service


@shared_task(name="classifier.tasks.tasks_retrain", soft_time_limit=3 * 60 * 60, time_limit=3 * 60 * 60 + 300)
def tasks_retrain() -> dict[str, str]:
    """Retrain every task that has labelled data; a failure is recorded, the active model stays."""
    return tasks_retrain_service()
