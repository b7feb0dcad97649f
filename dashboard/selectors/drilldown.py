"""The posts behind a dashboard number (drill-down), for signed-in users only.

Filters mirror what the rollups count: the active model's scored posts,
published in [since, until), optionally of a category (by the dictionary's
match), a state, a source, a hashtag, an author, a dictionary term, and only
those the model judged discriminatory. The reads are bounded by the time window and
paginated; the page is the only place the dashboard reads raw posts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from classifier.models import ModelVersion, Prediction
from ingestion.models import Tweet, TweetCategory


@dataclass(frozen=True, slots=True, kw_only=True)
class PostFilter:
    since: datetime
    until: datetime
    category_id: int | None = None
    state: str | None = None
    source_id: int | None = None
    hashtag: str = ""  # lower case, without "#"
    user: str = ""
    term: str = ""
    discriminatory_only: bool = False


def posts_behind(*, version: ModelVersion, filters: PostFilter) -> QuerySet[Tweet]:
    """The scored posts a number counts, newest first, each with `p_discriminatory` and `judged` annotated."""
    scored = Prediction.objects.filter(tweet=OuterRef("pk"), model_version=version)
    tweets = Tweet.objects.filter(created_at__gte=filters.since, created_at__lt=filters.until).filter(Exists(scored))
    if filters.discriminatory_only:
        tweets = tweets.filter(Exists(scored.filter(discriminatory=True)))
    if filters.category_id:
        tweets = tweets.filter(Exists(TweetCategory.objects.filter(tweet=OuterRef("pk"), category_id=filters.category_id)))
    if filters.state:
        tweets = tweets.filter(state=filters.state)
    if filters.source_id is not None:
        tweets = tweets.filter(source_id=filters.source_id)
    if filters.user:
        tweets = tweets.filter(author_handle__iexact=filters.user)
    if filters.hashtag:
        tweets = tweets.filter(_json_list_has(column="hashtags", value=filters.hashtag, hashtag=True))
    if filters.term:
        tweets = tweets.filter(_json_list_has(column="matches", value=filters.term, hashtag=False))
    judged = Prediction.objects.filter(tweet=OuterRef("pk"), model_version=version)
    return (
        tweets.annotate(judged=judged.values("discriminatory")[:1], judged_categories=judged.values("categories")[:1])
        .order_by("-created_at", "-pk")
    )


def _json_list_has(*, column: str, value: str, hashtag: bool) -> RawSQL:
    """An element of a JSON list column equals `value`: a hashtag (any case, "#" or not) or a match's term.

    Written per database, as JSON list elements are read differently by PostgreSQL and SQLite.
    """
    table = Tweet._meta.db_table
    if connection.vendor == "postgresql":
        element = "lower(ltrim(e, '#'))" if hashtag else "e ->> 'term'"
        source = f"jsonb_array_elements_text({table}.{column}) e" if hashtag else f"jsonb_array_elements({table}.{column}) e"
    else:
        element = "lower(ltrim(j.value, '#'))" if hashtag else "json_extract(j.value, '$.term')"
        source = f"json_each({table}.{column}) j"
    return RawSQL(f"EXISTS (SELECT 1 FROM {source} WHERE {element} = %s)", (value,), output_field=BooleanField())
