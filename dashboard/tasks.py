"""Celery tasks for the dashboard: thin adapters over the rollup services."""
from __future__ import annotations

from celery import shared_task

from .history import rollups_history_catch_up


@shared_task(name="dashboard.tasks.rollups_history_catch_up", soft_time_limit=25 * 60, time_limit=30 * 60)
def rollups_history_catch_up_task() -> dict[str, int | bool | None]:
    """Score and count the active model's history for the semáforo (a no-op once complete)."""
    result = rollups_history_catch_up()
    return {"version": result.version, "scored": result.scored, "complete": result.complete}
