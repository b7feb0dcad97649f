"""Store posts: match the dictionary, attribute a state, and insert each post once.

On PostgreSQL a batch is copied into a temporary table and inserted with
`ON CONFLICT DO NOTHING`: the fastest way in, and concurrent writers cannot
duplicate a post. Other databases (the embedded SQLite) take the ORM path.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.db import connection, transaction

from ingestion import geo
from ingestion.matching import Matcher
from ingestion.models import IngestionRun, RawBatch, Source, Tweet, TweetCategory
from ingestion.records import TweetRecord

# Columns written for each post, in COPY order.
_COLUMNS = (
    "platform_id", "text", "lang", "created_at", "author_id", "author_handle", "author_name",
    "author_location", "place_name", "place_country_code", "latitude", "longitude",
    "is_retweet", "is_quote", "is_reply", "hashtags", "mentions", "urls", "metrics", "matches",
    "state", "country_code", "state_confidence", "state_evidence", "source_id", "run_id",
    "raw_batch_id", "ingested_at",
)


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

    @property
    def source_id(self) -> int | None:
        return self.source.pk if self.source else None

    @property
    def run_id(self) -> int | None:
        return self.run.pk if self.run else None

    @property
    def raw_batch_id(self) -> int | None:
        return self.raw_batch.pk if self.raw_batch else None


_EMPTY_LIST_JSON = "[]"


def _json(value: list[Any] | dict[str, Any]) -> str:
    if not value:  # most posts: skip the encoder
        return _EMPTY_LIST_JSON if isinstance(value, list) else "{}"
    return orjson.dumps(value).decode()


def _row(record: TweetRecord, context: StoreContext) -> tuple[tuple[Any, ...], list[int]]:
    """The post's values in `_COLUMNS` order (JSON already encoded), and its category ids."""
    found = context.matcher.match(record.text)
    place = geo.location_attribute(
        place_name=record.place_name,
        place_country_code=record.place_country_code,
        latitude=record.latitude,
        longitude=record.longitude,
        profile_location=record.author_location,
    )
    row = (
        record.platform_id, record.text, record.lang, record.created_at, record.author_id,
        record.author_handle, record.author_name, record.author_location, record.place_name,
        record.place_country_code, record.latitude, record.longitude, record.is_retweet,
        record.is_quote, record.is_reply, _json(record.hashtags), _json(record.mentions),
        _json(record.urls), _json(record.metrics), _json([m.as_dict() for m in found.matches]),
        place.state, place.country_code, place.confidence, place.evidence, context.source_id,
        context.run_id, context.raw_batch_id, context.now,
    )
    return row, [context.category_ids[s] for s in found.categories if s in context.category_ids]


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch's new posts as table rows, ready for `tweets_insert`."""

    rows: list[tuple[tuple[Any, ...], list[int]]]
    total: int  # posts in the batch, duplicates included


def tweets_prepare(*, records: Sequence[TweetRecord], context: StoreContext) -> PreparedBatch:
    """Match and attribute the posts that are not stored yet.

    Posts already stored are set aside before matching and attribution, so
    importing a file again costs little.
    """
    unique: dict[str, TweetRecord] = {}
    for record in records:
        unique.setdefault(record.platform_id, record)
    existing = _stored_ids(list(unique))
    rows = [_row(record, context) for pid, record in unique.items() if pid not in existing]
    return PreparedBatch(rows=rows, total=len(records))


def tweets_insert(*, batch: PreparedBatch) -> StoreResult:
    """Insert prepared rows, ignoring any post stored meanwhile by another run.

    Must run inside a transaction: the caller commits the posts together with
    the cursor or counters that say they were read.
    """
    inserted = (_store_postgres if connection.vendor == "postgresql" else _store_orm)(batch.rows) if batch.rows else 0
    return StoreResult(new=inserted, duplicate=batch.total - inserted)


def tweets_store(*, records: Sequence[TweetRecord], context: StoreContext) -> StoreResult:
    """Insert the batch's posts that are not stored yet; count the others as duplicates."""
    return tweets_insert(batch=tweets_prepare(records=records, context=context))


def _stored_ids(platform_ids: list[str]) -> set[str]:
    if not platform_ids:
        return set()
    return set(Tweet.objects.filter(platform_id__in=platform_ids).values_list("platform_id", flat=True))


_STAGE_SQL = """
CREATE TEMP TABLE IF NOT EXISTS ingest_stage (
    platform_id varchar(255), text text, lang varchar(8), created_at timestamptz,
    author_id varchar(255), author_handle varchar(255), author_name varchar(255),
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


def _store_postgres(rows: list[tuple[tuple[Any, ...], list[int]]]) -> int:
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL)
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(f"COPY ingest_stage ({columns}, category_ids) FROM STDIN") as copy:
            for values, category_ids in rows:
                copy.write_row((*values, category_ids))
        cursor.execute(_INSERT_SQL.format(columns=columns))
        (inserted,) = cursor.fetchone()
        # ON COMMIT DELETE ROWS empties the stage at commit; empty it now too in case
        # the caller stores several batches in one transaction.
        cursor.execute("TRUNCATE ingest_stage")
    return int(inserted)


def _store_orm(rows: list[tuple[tuple[Any, ...], list[int]]]) -> int:
    json_columns = {"hashtags", "mentions", "urls", "metrics", "matches"}
    fresh = []
    for values, category_ids in rows:
        fields = dict(zip(_COLUMNS, values, strict=True))
        for name in json_columns:
            fields[name] = orjson.loads(fields[name])
        fresh.append((Tweet(**fields), category_ids))
    with transaction.atomic():
        tweets = Tweet.objects.bulk_create([tweet for tweet, _ in fresh], batch_size=500)
        links = [
            TweetCategory(tweet_id=tweet.pk, category_id=cat, created_at=tweet.created_at, state=tweet.state)
            for tweet, (_, cats) in zip(tweets, fresh, strict=True)
            for cat in cats
        ]
        TweetCategory.objects.bulk_create(links, batch_size=500)
    return len(tweets)
