"""Predictions: which posts a model version has not scored, its predictions for them, and their insert.

The loop that scores a run or the history batch by batch, and writes each
batch's predictions with the dashboard's counts of them in one transaction,
is the pipeline's (`pipeline/services/scoring.py`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import orjson
from django.db import connection, connections
from django.db.models import CharField, Exists, F, Func, OuterRef, QuerySet
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
    *, version_id: int, after_id: int, size: int, run_id: int | None = None, since: datetime | None = None,
    until_id: int | None = None,
) -> list[tuple[int, str]]:
    """The next `size` posts (id, text) after `after_id` (up to `until_id`), in id order, that the version has not scored."""
    tweets = tweets_unscored(version_id=version_id, run_id=run_id, since=since).filter(pk__gt=after_id)
    if until_id is not None:
        tweets = tweets.filter(pk__lte=until_id)
    return list(tweets.order_by("pk").values_list("pk", "text")[:size])


@dataclass(slots=True)
class PredictionRows:
    """A batch's predictions as columns, in post order: what `predictions_write` stores."""

    model_version_id: int
    tweet_ids: list[int]
    scores: list[dict[str, float]]
    discriminatory: list[bool]
    categories: list[list[str]]

    def judged(self) -> dict[int, bool]:
        """Each post's yes/no for `discriminatory` (what the rollups count)."""
        return dict(zip(self.tweet_ids, self.discriminatory, strict=True))


def prediction_rows_build(batch: Sequence[tuple[int, str]], *, loaded: LoadedModel) -> PredictionRows:
    """The loaded model's predictions for the posts (id, text), as rows for `predictions_write`."""
    scores = model_scores(loaded.model, [text for _, text in batch])
    decisions = model_decisions(loaded.model, scores)
    labels = list(scores)
    rounded = np.round(np.column_stack([scores[label] for label in labels]), 4).tolist() if batch else []
    chosen = np.column_stack([decisions[label] for label in labels]).tolist() if batch else []
    categories_of = [label for label in labels if label != DISCRIMINATORY]
    has = labels.index(DISCRIMINATORY) if DISCRIMINATORY in labels else None
    others = [i for i, label in enumerate(labels) if label != DISCRIMINATORY]
    return PredictionRows(
        model_version_id=loaded.version.pk,
        tweet_ids=[pk for pk, _ in batch],
        scores=[dict(zip(labels, row, strict=True)) for row in rounded],
        discriminatory=[has is not None and bool(row[has]) for row in chosen],
        categories=[sorted(categories_of[j] for j, i in enumerate(others) if row[i]) for row in chosen],
    )


def predictions_build(batch: list[tuple[int, str]], *, loaded: LoadedModel) -> list[Prediction]:
    """The loaded model's predictions for the posts (id, text), unsaved: `predictions_insert` stores them."""
    rows = prediction_rows_build(batch, loaded=loaded)
    return [
        Prediction(tweet_id=pk, model_version_id=rows.model_version_id, scores=scores, discriminatory=disc,
                   categories=categories)
        for pk, scores, disc, categories in zip(rows.tweet_ids, rows.scores, rows.discriminatory, rows.categories,
                                                strict=True)
    ]


def predictions_insert(predictions: Sequence[Prediction]) -> list[int]:
    """Insert predictions, skipping posts their version has already scored; the ids of the posts inserted now."""
    inserted: list[int] = []
    by_version: dict[int, list[Prediction]] = {}
    for prediction in predictions:
        by_version.setdefault(prediction.model_version_id, []).append(prediction)
    for version_id, chunk in by_version.items():
        inserted.extend(predictions_write(PredictionRows(
            model_version_id=version_id, tweet_ids=[p.tweet_id for p in chunk], scores=[p.scores for p in chunk],
            discriminatory=[p.discriminatory for p in chunk], categories=[p.categories for p in chunk],
        )))
    return inserted


def predictions_write(rows: PredictionRows) -> list[int]:
    """Store a batch's predictions, skipping posts the version has already scored; the ids of the posts stored now.

    What `INSERT ... ON CONFLICT DO NOTHING RETURNING` returns is exactly the
    rows that were new, so a batch scored twice, or by two workers at once, is
    counted once by whoever inserted it. On PostgreSQL the rows travel by `COPY`
    into a temporary table first (a 500-row INSERT's 3,000 parameters cost the
    driver more than the server's whole insert).
    """
    if not rows.tweet_ids:
        return []
    if connection.vendor == "postgresql":
        return _predictions_copy(rows)
    return _predictions_values(rows)


_STAGING = "scoring_predictions"


def _predictions_copy(rows: PredictionRows) -> list[int]:
    dumps = orjson.dumps
    version = str(rows.model_version_id).encode()
    lines = b"".join(
        b"%d\t%s\t%s\t%s\t%s\n" % (pk, version, dumps(scores), b"t" if disc else b"f", dumps(categories))
        for pk, scores, disc, categories in zip(rows.tweet_ids, rows.scores, rows.discriminatory, rows.categories,
                                                strict=True)
    )
    # COPY's text format escapes backslashes; JSON writes every control character as a backslash escape.
    lines = lines.replace(b"\\", b"\\\\")
    table, quote = Prediction._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} (tweet_id bigint, model_version_id bigint, "
            "scores jsonb, discriminatory boolean, categories jsonb) ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY {_STAGING} FROM STDIN") as copy:
            copy.write(lines)
        # The staging rows are deleted by the same statement (a caller's outer transaction may store
        # more batches), and inserted in post order whatever order they came in: two workers inserting
        # overlapping batches then take the unique index's locks in the same order, and queue rather than deadlock.
        cursor.execute(
            f"WITH staged AS (DELETE FROM {_STAGING} RETURNING *) "
            f"INSERT INTO {quote(table)} (tweet_id, model_version_id, scores, discriminatory, categories, created_at) "
            "SELECT tweet_id, model_version_id, scores, discriminatory, categories, now() FROM staged ORDER BY tweet_id "
            "ON CONFLICT (tweet_id, model_version_id) DO NOTHING RETURNING tweet_id"
        )
        return [row[0] for row in cursor.fetchall()]


def _predictions_values(rows: PredictionRows) -> list[int]:
    """Multi-row INSERTs (SQLite 3.35+ returns the rows it inserted too)."""
    quote = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = "tweet_id, model_version_id, scores, discriminatory, categories, created_at"
    one = "(%s, %s, %s, %s, %s, %s)"
    order = sorted(range(len(rows.tweet_ids)), key=rows.tweet_ids.__getitem__)
    inserted: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(order), INSERT_ROWS):
            chunk = order[start:start + INSERT_ROWS]
            params: list[Any] = []
            for i in chunk:
                params.extend((rows.tweet_ids[i], rows.model_version_id, orjson.dumps(rows.scores[i]).decode(),
                               rows.discriminatory[i], orjson.dumps(rows.categories[i]).decode(), now))
            cursor.execute(
                f"INSERT INTO {quote(Prediction._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(chunk))} "
                "ON CONFLICT (tweet_id, model_version_id) DO NOTHING RETURNING tweet_id",
                params,
            )
            inserted.extend(row[0] for row in cursor.fetchall())
    return inserted
