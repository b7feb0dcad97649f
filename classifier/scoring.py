"""Score posts with the active discrimination model and store a Prediction per post and version."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import CharField, Exists, F, Func, OuterRef, QuerySet

from ingestion.models import Tweet

from .engine import model_decisions, model_scores
from .models import ModelVersion, Prediction
from .serving import model_active_get
from .task_definitions import DISCRIMINATION, DISCRIMINATORY

BATCH_SIZE = 2000


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
    Prediction.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)
