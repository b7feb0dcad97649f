"""Score posts with the active discrimination model and store a Prediction per post and version.

Each batch's predictions and the dashboard's counts of them are written in one
transaction (`dashboard.rollups.rollups_add`): the semáforo is current as soon
as a batch is scored, and counts each prediction exactly once.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import CharField, Exists, F, Field, Func, OuterRef, QuerySet
from django.utils import timezone

from dashboard.rollups import rollups_add
from ingestion.models import Tweet

from .engine import model_decisions, model_scores
from .models import ModelVersion, Prediction
from .serving import model_active_get
from .task_definitions import DISCRIMINATION, DISCRIMINATORY

BATCH_SIZE = 2000
INSERT_ROWS = 500  # rows per INSERT statement (SQLite caps the parameters of one statement)


@dataclass(slots=True)
class ScoreSummary:
    scored: int = 0
    version: int | None = None


def tweets_unscored(*, version_id: int, run_id: int | None = None, since: datetime | None = None) -> QuerySet[Tweet]:
    tweets = Tweet.objects.all()
    if run_id is not None:
        tweets = tweets.filter(run_id=run_id)
    if since is not None:
        tweets = tweets.filter(created_at__gte=since)
    scored = Prediction.objects.filter(tweet=OuterRef("pk"), model_version_id=version_id)
    return tweets.filter(~Exists(scored))


def prediction_labels_get(*, version: ModelVersion) -> list[str]:
    """Every label a version scores, sorted: the keys of its predictions' scores plus those its metrics name."""
    labels = set(version.metrics.get("labels", {}))
    predictions = Prediction.objects.filter(model_version=version).order_by()
    if connections[predictions.db].vendor == "postgresql":
        keys = Func(F("scores"), function="jsonb_object_keys", output_field=CharField())
        labels.update(predictions.annotate(label=keys).values_list("label", flat=True).distinct())
    else:  # SQLite has no set-returning function to call from the select list: read the scores once
        for scores in predictions.values_list("scores", flat=True).iterator(chunk_size=BATCH_SIZE):
            labels.update(scores)
    return sorted(labels)


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
        batch = list(
            tweets_unscored(version_id=loaded.version.pk, run_id=run_id, since=since)
            .filter(pk__gt=last_pk).order_by("pk").values_list("pk", "text")[:size]
        )
        if not batch:
            return summary
        last_pk = batch[-1][0]
        summary.scored += _batch_score(batch, loaded=loaded)
    return summary


def _batch_score(batch: list[tuple[int, str]], *, loaded) -> int:  # noqa: ANN001 (serving.LoadedModel)
    scores = model_scores(loaded.model, [text for _, text in batch])
    decisions = model_decisions(loaded.model, scores)
    labels = list(scores)
    rows = []
    for i, (pk, _) in enumerate(batch):
        chosen = [label for label in labels if decisions[label][i]]
        rows.append(Prediction(
            tweet_id=pk, model_version_id=loaded.version.pk,
            scores={label: round(float(scores[label][i]), 4) for label in labels},
            discriminatory=DISCRIMINATORY in chosen,
            categories=sorted(label for label in chosen if label != DISCRIMINATORY),
        ))
    with transaction.atomic():
        inserted = predictions_insert(rows)
        # In the predictions' own transaction, with only the posts this insert scored:
        # a batch scored twice, or by two workers at once, is counted once, and a
        # crash here takes the counts back with the predictions.
        rollups_add(model_version_id=loaded.version.pk, tweet_ids=inserted)
    return len(rows)


_PREDICTION_COLUMNS = ("tweet", "model_version", "scores", "discriminatory", "categories", "created_at")


def predictions_insert(predictions: Sequence[Prediction]) -> list[int]:
    """Insert predictions, skipping posts their version has already scored; the ids of the posts inserted now.

    `bulk_create(ignore_conflicts=True)` cannot say which rows it skipped; the
    rows that `INSERT ... ON CONFLICT DO NOTHING RETURNING` returns are exactly
    the new ones (on PostgreSQL and on SQLite 3.35+).
    """
    fields = [f for f in (Prediction._meta.get_field(name) for name in _PREDICTION_COLUMNS) if isinstance(f, Field)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.attname) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    now = timezone.now()
    # In post order, whatever order the caller gives: two workers inserting overlapping
    # batches then take the unique index's locks in the same order, and queue rather than deadlock.
    predictions = sorted(predictions, key=lambda prediction: prediction.tweet_id)
    inserted: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(predictions), INSERT_ROWS):
            chunk = predictions[start:start + INSERT_ROWS]
            params: list[Any] = []
            for prediction in chunk:
                prediction.created_at = now
                params.extend(f.get_db_prep_save(getattr(prediction, f.attname), connection) for f in fields)
            cursor.execute(
                f"INSERT INTO {quote(Prediction._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT ({quote('tweet_id')}, {quote('model_version_id')}) DO NOTHING RETURNING {quote('tweet_id')}",
                params,
            )
            inserted.extend(row[0] for row in cursor.fetchall())
    return inserted
