"""Predictions: which posts a model version has not scored, its predictions for them, and their insert.

The loop that scores a run or the history batch by batch, and writes each
batch's predictions with the dashboard's counts of them in one transaction,
is the pipeline's (`pipeline/services/scoring.py`).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, connections
from django.db.models import CharField, Exists, F, Field, Func, OuterRef, QuerySet
from django.utils import timezone

from classifier.engine.scoring import model_decisions, model_scores
from classifier.label_sets import DISCRIMINATORY
from classifier.models import ModelVersion, Prediction
from classifier.selectors.serving import LoadedModel
from ingestion.models import Tweet

BATCH_SIZE = 2000
INSERT_ROWS = 500  # rows per INSERT statement (SQLite caps the parameters of one statement)


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


def tweets_unscored_batch(
    *, version_id: int, after_id: int, size: int, run_id: int | None = None, since: datetime | None = None
) -> list[tuple[int, str]]:
    """The next `size` posts (id, text) after `after_id`, in id order, that the version has not scored."""
    return list(
        tweets_unscored(version_id=version_id, run_id=run_id, since=since)
        .filter(pk__gt=after_id).order_by("pk").values_list("pk", "text")[:size]
    )


def predictions_build(batch: list[tuple[int, str]], *, loaded: LoadedModel) -> list[Prediction]:
    """The loaded model's predictions for the posts (id, text), unsaved: `predictions_insert` stores them."""
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
    return rows


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
