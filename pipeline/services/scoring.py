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

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from alerts.services.evaluation import alerts_evaluate
from classifier.label_sets import DISCRIMINATION
from classifier.selectors.serving import LoadedModel, model_active_get
from classifier.services.predictions import BATCH_SIZE, predictions_build, predictions_insert, tweets_unscored_batch
from dashboard.services.rollups import rollups_add


@dataclass(slots=True)
class ScoreSummary:
    scored: int = 0
    version: int | None = None


def tweets_score(
    *, run_id: int | None = None, since: datetime | None = None, limit: int | None = None, batch_size: int = BATCH_SIZE
) -> ScoreSummary:
    """Score every post (of a run, or since a date; the oldest `limit` of them) that the active version has not scored yet.

    Re-running it scores nothing twice: posts that already have this version's
    prediction are skipped, and the insert ignores a row another worker wrote meanwhile.
    """
    loaded = model_active_get(task=DISCRIMINATION)
    if loaded is None:
        return ScoreSummary()
    summary = ScoreSummary(version=loaded.version.version)
    last_pk = 0
    while limit is None or summary.scored < limit:
        size = batch_size if limit is None else min(batch_size, limit - summary.scored)
        batch = tweets_unscored_batch(version_id=loaded.version.pk, after_id=last_pk, size=size, run_id=run_id, since=since)
        if not batch:
            return summary
        last_pk = batch[-1][0]
        summary.scored += batch_store(batch, loaded=loaded)
    return summary


def batch_store(batch: list[tuple[int, str]], *, loaded: LoadedModel) -> int:
    """Predict the posts (id, text) and store the predictions with their counts; the number of posts."""
    predictions = predictions_build(batch, loaded=loaded)
    with transaction.atomic():
        inserted = predictions_insert(predictions)
        # In the predictions' own transaction, with only the posts this insert scored:
        # a batch scored twice, or by two workers at once, is counted once.
        judged = {prediction.tweet_id: prediction.discriminatory for prediction in predictions}
        counted = rollups_add(model_version_id=loaded.version.pk, tweet_ids=inserted, discriminatory=judged)
        if counted:
            # The lights may have moved: the alerts' messages go to the outbox in this same transaction.
            alerts_evaluate(model_version_id=loaded.version.pk)
    return len(predictions)
