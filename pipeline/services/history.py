"""Keep the active model's rollups complete over the history the dashboard compares with.

A version that has just become active has scored only the posts that came
after it, so its semáforo would have no baseline. `rollups_history_catch_up`
(a periodic task, every ten minutes) brings it up to date over the settings'
history days: it first recounts what that version has already scored there
(its rows may be missing, e.g. a version re-activated after its rows were
pruned), then scores the posts it has not scored yet through the scoring
step, which adds each batch to the rollups as it goes. Once the whole history
is counted, other versions' rollups are deleted.

Until then pages show what has been counted: windows without enough scored
posts are left out of a baseline, or make the level grey, rather than wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from classifier.selectors.model_versions import model_version_for_reads
from dashboard.models import HourlyCount, RollupHistory, TermHourly
from dashboard.selectors.semaforo import semaforo_settings_get
from dashboard.services.rollups import hour_floor, rollups_rebuild
from pipeline.services.scoring import tweets_score

CATCH_UP_POSTS = 1_000_000  # posts scored per run at most: a run stays within its task's time limit
CLAIM = timedelta(minutes=30)  # as long as the task's hard time limit


@dataclass(slots=True)
class CatchUp:
    version: int | None = None
    claimed: bool = False
    recounted: int = 0
    scored: int = 0
    complete: bool = False
    pruned: int = 0


def rollups_history_catch_up(*, now: datetime | None = None, limit: int = CATCH_UP_POSTS) -> CatchUp:
    """Recount, then score, the active version's history; prune other versions' rollups once complete."""
    version = model_version_for_reads()
    if version is None:
        return CatchUp()
    now = now or timezone.now()
    horizon = hour_floor(now) - timedelta(days=semaforo_settings_get().history_days)
    history, _ = RollupHistory.objects.get_or_create(model_version=version)
    result = CatchUp(version=version.version)
    if history.complete_since is not None and history.complete_since <= horizon:
        result.complete = True
        return result
    # Two runs at once (a slow one and the next beat tick) would score the same posts
    # side by side and wait on each other's rows: the first to claim the row works.
    claimed = RollupHistory.objects.filter(pk=history.pk).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ).update(claimed_until=now + CLAIM)
    if not claimed:
        return result
    result.claimed = True
    try:
        _catch_up(history, horizon=horizon, limit=limit, result=result)
    finally:
        RollupHistory.objects.filter(pk=history.pk).update(claimed_until=None)
    return result


def _catch_up(history: RollupHistory, *, horizon: datetime, limit: int, result: CatchUp) -> None:
    if history.rebuilt_since is None or history.rebuilt_since > horizon:
        result.recounted = rollups_rebuild(model_version_id=history.model_version_id, since=horizon).posts
        history.rebuilt_since = horizon
        history.save(update_fields=["rebuilt_since", "updated_at"])
    summary = tweets_score(since=horizon, limit=limit)
    result.scored = summary.scored
    if summary.version != result.version or summary.scored >= limit:
        return  # another version became active meanwhile, or there is more to score next time
    history.complete_since = horizon
    history.save(update_fields=["complete_since", "updated_at"])
    result.complete = True
    result.pruned = rollups_prune(keep_version_id=history.model_version_id)


def rollups_prune(*, keep_version_id: int) -> int:
    """Delete the rollups of every version but one; the rows deleted."""
    deleted = 0
    for model in (HourlyCount, TermHourly):
        deleted += model.objects.exclude(model_version_id=keep_version_id).delete()[0]
    RollupHistory.objects.exclude(model_version_id=keep_version_id).delete()
    return deleted
