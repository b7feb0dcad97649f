"""Store posts: match the dictionary, attribute a state, and insert each post once.

On PostgreSQL a batch is copied into a temporary table and inserted with
`ON CONFLICT DO NOTHING`, which is what makes 20,000 posts a second possible and
keeps concurrent writers from duplicating a post. Other databases (the embedded
SQLite) take the ORM path.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.db import connection, transaction

from . import geo
from .matching import Matcher
from .models import IngestionRun, RawBatch, Source, Tweet, TweetCategory
from .records import TweetRecord

# Columns written for each post, in COPY order.
_COLUMNS = (
    "platform_id", "text", "lang", "created_at", "author_id", "author_handle", "author_name",
    "author_location", "place_name", "place_country_code", "latitude", "longitude",
    "is_retweet", "is_quote", "is_reply", "hashtags", "mentions", "urls", "metrics", "matches",
    "state", "country_code", "state_confidence", "state_evidence", "source_id", "run_id",
    "raw_batch_id", "ingested_at",
)
_JSON_COLUMNS = {"hashtags", "mentions", "urls", "metrics", "matches"}


@dataclass(slots=True)
class StoreResult:
    new: int = 0
    duplicate: int = 0


@dataclass(frozen=True, slots=True)
class StoreContext:
    """What every post of a batch shares: where it came from and the compiled dictionary."""

    matcher: Matcher
    category_ids: Mapping[str, int]
    source: Source | None
    run: IngestionRun | None
    raw_batch: RawBatch | None
    now: datetime


def _enrich(record: TweetRecord, context: StoreContext) -> tuple[dict[str, Any], list[int]]:
    found = context.matcher.match(record.text)
    place = geo.location_attribute(
        place_name=record.place_name,
        place_country_code=record.place_country_code,
        latitude=record.latitude,
        longitude=record.longitude,
        profile_location=record.author_location,
    )
    row = {
        "platform_id": record.platform_id, "text": record.text, "lang": record.lang,
        "created_at": record.created_at, "author_id": record.author_id,
        "author_handle": record.author_handle, "author_name": record.author_name,
        "author_location": record.author_location, "place_name": record.place_name,
        "place_country_code": record.place_country_code, "latitude": record.latitude,
        "longitude": record.longitude, "is_retweet": record.is_retweet,
        "is_quote": record.is_quote, "is_reply": record.is_reply, "hashtags": record.hashtags,
        "mentions": record.mentions, "urls": record.urls, "metrics": record.metrics,
        "matches": [m.as_dict() for m in found.matches], "state": place.state,
        "country_code": place.country_code, "state_confidence": place.confidence,
        "state_evidence": place.evidence,
        "source_id": context.source.pk if context.source else None,
        "run_id": context.run.pk if context.run else None,
        "raw_batch_id": context.raw_batch.pk if context.raw_batch else None,
        "ingested_at": context.now,
    }
    category_ids = [context.category_ids[s] for s in found.categories if s in context.category_ids]
    return row, category_ids


def tweets_store(*, records: Sequence[TweetRecord], context: StoreContext) -> StoreResult:
    """Insert the batch's posts that are not stored yet; count the others as duplicates.

    Must run inside a transaction: the caller commits the posts together with
    the cursor that says they were read.
    """
    unique: dict[str, TweetRecord] = {}
    for record in records:
        unique.setdefault(record.platform_id, record)
    result = StoreResult(duplicate=len(records) - len(unique))
    if not unique:
        return result
    enriched = [_enrich(record, context) for record in unique.values()]
    inserted = _store_postgres(enriched) if connection.vendor == "postgresql" else _store_orm(enriched)
    result.new = inserted
    result.duplicate += len(unique) - inserted
    return result


_STAGE_SQL = """
CREATE TEMP TABLE IF NOT EXISTS ingest_stage (
    platform_id varchar(64), text text, lang varchar(8), created_at timestamptz,
    author_id varchar(64), author_handle varchar(64), author_name varchar(255),
    author_location varchar(255), place_name varchar(255), place_country_code varchar(2),
    latitude double precision, longitude double precision, is_retweet boolean,
    is_quote boolean, is_reply boolean, hashtags jsonb, mentions jsonb, urls jsonb,
    metrics jsonb, matches jsonb, state varchar(3), country_code varchar(2),
    state_confidence double precision, state_evidence varchar(16), source_id bigint,
    run_id bigint, raw_batch_id bigint, ingested_at timestamptz, category_ids bigint[]
) ON COMMIT DELETE ROWS
"""

_INSERT_SQL = """
WITH inserted AS (
    INSERT INTO ingestion_tweet ({columns})
    SELECT {columns} FROM ingest_stage
    ON CONFLICT (platform_id) DO NOTHING
    RETURNING id, platform_id, created_at, state
), categories AS (
    INSERT INTO ingestion_tweetcategory (tweet_id, category_id, created_at, state)
    SELECT inserted.id, unnest(stage.category_ids), inserted.created_at, inserted.state
    FROM inserted JOIN ingest_stage AS stage USING (platform_id)
    WHERE cardinality(stage.category_ids) > 0
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM inserted
"""


def _copy_value(column: str, value: Any) -> Any:
    return orjson.dumps(value).decode() if column in _JSON_COLUMNS else value


def _store_postgres(enriched: list[tuple[dict[str, Any], list[int]]]) -> int:
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL)
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(f"COPY ingest_stage ({columns}, category_ids) FROM STDIN") as copy:
            for row, category_ids in enriched:
                copy.write_row([_copy_value(c, row[c]) for c in _COLUMNS] + [category_ids])
        cursor.execute(_INSERT_SQL.format(columns=columns))
        (inserted,) = cursor.fetchone()
        # ON COMMIT DELETE ROWS empties the stage at commit; empty it now too in case
        # the caller stores several batches in one transaction.
        cursor.execute("TRUNCATE ingest_stage")
    return int(inserted)


def _store_orm(enriched: list[tuple[dict[str, Any], list[int]]]) -> int:
    ids = [row["platform_id"] for row, _ in enriched]
    with transaction.atomic():
        existing = set(Tweet.objects.filter(platform_id__in=ids).values_list("platform_id", flat=True))
        fresh = [(row, cats) for row, cats in enriched if row["platform_id"] not in existing]
        tweets = Tweet.objects.bulk_create([Tweet(**row) for row, _ in fresh], batch_size=500)
        links = [
            TweetCategory(tweet_id=tweet.pk, category_id=cat, created_at=tweet.created_at, state=tweet.state)
            for tweet, (_, cats) in zip(tweets, fresh, strict=True)
            for cat in cats
        ]
        TweetCategory.objects.bulk_create(links, batch_size=500)
    return len(tweets)
