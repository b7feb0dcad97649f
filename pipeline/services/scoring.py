"""Score posts with the active discrimination model: predictions, the semáforo's counts and alerts in one transaction.

Each batch's predictions (`classifier/services/predictions.py`) and the
dashboard's counts of exactly the posts that insert created
(`dashboard/services/rollups.py`) are written together: the semáforo is
current as soon as a batch is scored, counts each prediction once however
often a batch is scored, and a crash takes the counts back with the predictions. The alerts
(`alerts/services/evaluation.py`) judge the watched series on the new counts in
the same transaction, so a message is written exactly when its light moved.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from alerts.services.evaluation import alerts_evaluate
from classifier.label_sets import DISCRIMINATION
from classifier.selectors.serving import LoadedModel, model_active_get
from classifier.services.predictions import (
    BATCH_SIZE,
    prediction_rows_build,
    predictions_write,
    tweets_unscored_batch,
)
from classifier.services.scoring_marks import claim_held, gap_open, gap_settle, posts_claim, scoring_mark_get
from dashboard.services.rollups import rollups_add


@dataclass(slots=True)
class ScoreSummary:
    scored: int = 0
    version: int | None = None


def tweets_score(
    *, run_id: int | None = None, since: datetime | None = None, limit: int | None = None, batch_size: int = BATCH_SIZE
) -> ScoreSummary:
    """Score every post (of a run, or since a date; the oldest `limit` of them) that the active version has not scored yet.

    Re-running it scores nothing twice: without a filter it claims ranges of
    posts above the version's scoring mark (`classifier/services/scoring_marks.py`),
    so workers running it side by side share the work; with one, it looks only
    above the settled mark for posts without this version's prediction. The
    insert ignores a row another worker wrote meanwhile.
    """
    loaded = model_active_get(task=DISCRIMINATION)
    if loaded is None:
        return ScoreSummary()
    summary = ScoreSummary(version=loaded.version.version)
    if run_id is None and since is None:
        _everything_score(loaded, summary=summary, limit=limit, batch_size=batch_size)
        return summary
    settled = scoring_mark_get(version_id=loaded.version.pk).settled_to
    _unscored_score(loaded, summary=summary, limit=limit, batch_size=batch_size, after_id=settled,
                    run_id=run_id, since=since)
    return summary


def _left(summary: ScoreSummary, limit: int | None, batch_size: int) -> int:
    return batch_size if limit is None else min(batch_size, limit - summary.scored)


def _everything_score(loaded: LoadedModel, *, summary: ScoreSummary, limit: int | None, batch_size: int) -> None:
    """The gap below the claimed mark when it can be searched, then range after claimed range."""
    version_id = loaded.version.pk
    gap = gap_open(version_id=version_id)
    if gap is not None:
        finished = _unscored_score(loaded, summary=summary, limit=limit, batch_size=batch_size, after_id=gap.low,
                                   until_id=gap.high)
        if not finished:
            return
        gap_settle(version_id=version_id, gap=gap)
    while (size := _left(summary, limit, batch_size)) > 0:
        with claim_held():
            claimed = posts_claim(version_id=version_id, size=size)
            if claimed is None:
                return
            # Within the claimed range, posts another path scored already (a backfill, a run's task) are skipped.
            batch = tweets_unscored_batch(version_id=version_id, after_id=claimed.low, until_id=claimed.high, size=size)
            summary.scored += batch_store(batch, loaded=loaded)


def _unscored_score(
    loaded: LoadedModel, *, summary: ScoreSummary, limit: int | None, batch_size: int, after_id: int,
    until_id: int | None = None, run_id: int | None = None, since: datetime | None = None,
) -> bool:
    """Score the unscored posts after `after_id` (up to `until_id`) batch by batch; whether none is left."""
    last_pk = after_id
    while (size := _left(summary, limit, batch_size)) > 0:
        batch = tweets_unscored_batch(version_id=loaded.version.pk, after_id=last_pk, size=size, run_id=run_id,
                                      since=since, until_id=until_id)
        if not batch:
            return True
        last_pk = batch[-1][0]
        summary.scored += batch_store(batch, loaded=loaded)
    return False


def batch_store(batch: Sequence[tuple[int, str]], *, loaded: LoadedModel) -> int:
    """Predict the posts (id, text) and store the predictions with their counts and the alerts; the number of posts.

    For any caller holding posts it has just stored (the backfill): nothing is
    read again but each post's date, place, hashtags and terms for the counts.
    A post this version has already scored is skipped (and not counted again).
    """
    if not batch:
        return 0
    rows = prediction_rows_build(batch, loaded=loaded)
    with transaction.atomic():
        _commit_unsynchronised()
        inserted = predictions_write(rows)
        # In the predictions' own transaction, with only the posts this insert scored:
        # a batch scored twice, or by two workers at once, is counted once.
        counted = rollups_add(model_version_id=loaded.version.pk, tweet_ids=inserted, discriminatory=rows.judged())
        # The lights may have moved: the alerts' messages go to the outbox in this same transaction.
        # A change is announced by a task queued on commit, so its record must outlive a crash.
        if counted and alerts_evaluate(model_version_id=loaded.version.pk).changed:
            _commit_synchronised()
    return len(batch)


def _commit_unsynchronised() -> None:
    """The batch's commit does not wait for its WAL to reach the disk. A crash may then lose the last
    batches committed, never part of one: their predictions and counts go together, and their posts,
    left below the claimed mark, are found by the next search of the gap and scored again."""
    _synchronous_commit_set("off")


def _commit_synchronised() -> None:
    _synchronous_commit_set("on")


def _synchronous_commit_set(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL synchronous_commit = {value}")
