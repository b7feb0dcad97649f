"""Reads behind the post list endpoint: posts with their prediction, filtered by time, state, category and decision.

Posts without a date (some imported files) are left out of every read here: they
cannot be placed in a time range nor ordered with the others.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from classifier.models import ModelVersion, Prediction
from classifier.selectors.predictions import predicted_category_q
from ingestion.models import Category, Tweet

TWEET_FIELDS = (
    "id", "platform_id", "text", "lang", "created_at", "author_handle", "state", "country_code", "hashtags", "matches",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PostFilters:
    """Which posts a read covers. `category` and `discriminatory` are the predictions of `model_version`."""

    since: datetime | None = None
    until: datetime | None = None
    state: str | None = None
    category: str | None = None
    discriminatory: bool | None = None
    model_version: ModelVersion | None = None


def tweets_filter(*, filters: PostFilters) -> QuerySet[Tweet]:
    """Dated posts in the time range and state, whose prediction (if asked about) has the category and decision."""
    tweets = Tweet.objects.filter(created_at__isnull=False)
    if filters.since is not None:
        tweets = tweets.filter(created_at__gte=filters.since)
    if filters.until is not None:
        tweets = tweets.filter(created_at__lt=filters.until)
    if filters.state is not None:
        tweets = tweets.filter(state=filters.state)
    if filters.category is not None or filters.discriminatory is not None:
        if filters.model_version is None:
            return tweets.none()
        predictions = Prediction.objects.filter(tweet=OuterRef("pk"), model_version=filters.model_version)
        if filters.discriminatory is not None:
            predictions = predictions.filter(discriminatory=filters.discriminatory)
        if filters.category is not None:
            predictions = predictions.filter(predicted_category_q(field="categories", slug=filters.category))
        tweets = tweets.filter(Exists(predictions))
    return tweets


def tweets_list(*, filters: PostFilters) -> QuerySet[Tweet]:
    """The filtered posts, each with `matched_slugs` (dictionary categories, sorted) and `selected_predictions`
    (a list of at most one: the prediction of `filters.model_version`). Unordered: the paginator orders."""
    predictions = (
        Prediction.objects.filter(model_version=filters.model_version).only("tweet_id", "scores", "discriminatory", "categories")
        if filters.model_version is not None else Prediction.objects.none()
    )
    return (
        tweets_filter(filters=filters)
        .only(*TWEET_FIELDS)
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.only("slug").order_by("slug"), to_attr="matched_categories"),
            Prefetch("predictions", queryset=predictions, to_attr="selected_predictions"),
        )
    )
