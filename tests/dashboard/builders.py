"""Dashboard test data: posts placed in time, scoring them as the scoring step does, and an independent recount of
the rollups from the posts and predictions."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db import transaction

from classifier.models import ModelVersion, Prediction
from classifier.services.predictions import predictions_insert
from dashboard.models import HourlyCount, TermHourly
from dashboard.services.rollups import rollups_add
from ingestion.models import Category, Source, Tweet, TweetCategory
from tests.factories import TweetFactory

NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)  # the window then ends at 13:00 UTC


def posts_create(
    count: int, *, at: datetime, categories: Sequence[Category] = (), state: str = "", hashtags: Sequence[str] = (),
    terms: Sequence[tuple[str, Sequence[str]]] = (), handle: str = "", source: Source | None = None,
) -> list[Tweet]:
    """`count` posts published at `at` (from `source`), matched to `categories` (with `terms`: (term, category
    slugs))."""
    tweets = Tweet.objects.bulk_create(TweetFactory.build_batch(
        count, created_at=at, state=state, hashtags=list(hashtags), author_handle=handle, source=source,
        matches=[{"term": term, "categories": list(slugs), "start": 0, "end": len(term)} for term, slugs in terms],
    ))
    TweetCategory.objects.bulk_create([
        TweetCategory(tweet=tweet, category=category, created_at=at, state=state) for tweet in tweets for category in categories
    ])
    return tweets


def score(tweets: Iterable[Tweet], *, version: ModelVersion, discriminatory: int) -> list[int]:
    """Predictions for the posts (the first `discriminatory` of them judged discriminatory), stored as the scoring
    step stores a batch: the insert and the rollups in one transaction. The ids of the posts scored now."""
    rows = [
        Prediction(tweet_id=tweet.pk, model_version_id=version.pk, scores={}, discriminatory=i < discriminatory)
        for i, tweet in enumerate(tweets)
    ]
    with transaction.atomic():
        inserted = predictions_insert(rows)
        rollups_add(model_version_id=version.pk, tweet_ids=inserted)
    return inserted


def stored(version: ModelVersion) -> tuple[dict[tuple, list[int]], dict[tuple, list[int]]]:
    """The version's rollup rows as {key: [posts, discriminatory]}."""
    hourly = {
        (r.subject, r.category_id, r.state, r.hour): [r.posts, r.discriminatory]
        for r in HourlyCount.objects.filter(model_version=version)
    }
    terms = {
        (r.subject, r.category_id, r.hour, r.term): [r.posts, r.discriminatory]
        for r in TermHourly.objects.filter(model_version=version)
    }
    return hourly, terms


def recount(version: ModelVersion) -> tuple[dict[tuple, list[int]], dict[tuple, list[int]]]:
    """The rollups as they should be, counted the plain way from every prediction of the version."""
    hourly: dict[tuple, list[int]] = {}
    terms: dict[tuple, list[int]] = {}
    slug_ids = dict(Category.objects.values_list("slug", "pk"))

    def add(table: dict[tuple, list[int]], key: tuple, disc: bool) -> None:
        counts = table.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += int(disc)

    predictions = Prediction.objects.filter(model_version=version, tweet__created_at__isnull=False)
    for prediction in predictions.select_related("tweet").prefetch_related("tweet__categories"):
        tweet, disc = prediction.tweet, prediction.discriminatory
        assert tweet.created_at is not None
        hour = tweet.created_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        categories = [0] + [c.pk for c in tweet.categories.all()]
        tags = {tag for tag in (raw.lstrip("#").lower() for raw in tweet.hashtags) if tag and ":" not in tag}
        wholes = ["", f"fuente:{tweet.source_id}"] if tweet.source_id is not None else [""]
        for category in categories:
            for state in ("*", tweet.state):
                for whole in wholes:
                    add(hourly, (whole, category, state, hour), disc)
            for tag in tags:
                add(hourly, (tag, category, "*", hour), disc)
        for tag in tags:
            add(hourly, (tag, 0, tweet.state, hour), disc)
        pairs = {(m["term"], 0) for m in tweet.matches} | {
            (m["term"], slug_ids[slug]) for m in tweet.matches for slug in m["categories"]
        }
        for subject in (*wholes, *tags):
            for term, category in pairs:
                add(terms, (subject, category, hour, term), disc)
    return hourly, terms
