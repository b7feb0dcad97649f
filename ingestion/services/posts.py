"""Store posts: match the dictionary, attribute a state, and insert each post once.

On PostgreSQL a batch's posts, already known not to be stored, are copied straight
into the post and post-category tables with ids reserved from the table's sequence,
inside a savepoint. If another writer stored one of them meanwhile, the unique
constraint fails the copy, the savepoint is rolled back and the batch goes the
careful way: a temporary table and `INSERT ... ON CONFLICT DO NOTHING`. Either way
a post is stored once. Other databases (the embedded SQLite) take the ORM path.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import psycopg
from django.db import IntegrityError, connection, transaction

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
    # (id, text) of each post this batch stored: what scoring needs, without reading them back.
    stored: list[tuple[int, str]] = field(default_factory=list)


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


# JSON columns travel in jsonb's binary form: a version byte, then the JSON text. Binary
# COPY sends them as bytes, dumped by psycopg in C (its jsonb dumper is Python, per value).
_JSONB_VERSION = b"\x01"
_EMPTY_LIST_JSONB = b"\x01[]"
_EMPTY_OBJECT_JSONB = b"\x01{}"


def _jsonb(value: list[Any] | dict[str, Any]) -> bytes:
    if not value:  # most posts: skip the encoder
        return _EMPTY_LIST_JSONB if isinstance(value, list) else _EMPTY_OBJECT_JSONB
    return _JSONB_VERSION + orjson.dumps(value)


def _jsonb_loads(value: bytes) -> Any:
    return orjson.loads(value[1:])


def _row(record: TweetRecord, context: StoreContext) -> tuple[tuple[Any, ...], list[int]]:
    """The post's values in `_COLUMNS` order (JSON columns in jsonb's binary form), and its category ids."""
    found = context.matcher.match(record.text)
    if found.matches:
        matches = _JSONB_VERSION + orjson.dumps([m.as_dict() for m in found.matches])
        category_ids = [context.category_ids[s] for s in found.categories if s in context.category_ids]
    else:  # most posts
        matches, category_ids = _EMPTY_LIST_JSONB, []
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
        record.is_quote, record.is_reply, _jsonb(record.hashtags), _jsonb(record.mentions),
        _jsonb(record.urls), _jsonb(record.metrics), matches,
        place.state, place.country_code, place.confidence, place.evidence, context.source_id,
        context.run_id, context.raw_batch_id, context.now,
    )
    return row, category_ids


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch's new posts as table rows, ready for `tweets_insert`."""

    rows: list[tuple[tuple[Any, ...], list[int]]]
    total: int  # posts in the batch, duplicates included


def tweets_prepare(*, records: Sequence[TweetRecord], context: StoreContext, look_up: bool = True) -> PreparedBatch:
    """Match and attribute the posts that are not stored yet.

    Posts already stored are set aside before matching and attribution, so
    importing a file again costs little. `look_up=False` skips that look-up (a
    probe of the unique index per post) when the caller expects new posts: any
    that is stored after all fails the copy and `tweets_insert` stores the batch
    the careful way, so a wrong guess costs time, never a duplicate (PostgreSQL only).
    """
    unique: dict[str, TweetRecord] = {}
    for record in records:
        unique.setdefault(record.platform_id, record)
    # Only PostgreSQL's path recovers from a post stored after all; the ORM's always looks.
    existing = _stored_ids(list(unique)) if look_up or connection.vendor != "postgresql" else set()
    rows = [_row(record, context) for pid, record in unique.items() if pid not in existing]
    return PreparedBatch(rows=rows, total=len(records))


def tweets_insert(*, batch: PreparedBatch) -> StoreResult:
    """Insert prepared rows, ignoring any post stored meanwhile by another run.

    Must run inside a transaction: the caller commits the posts together with
    the cursor or counters that say they were read.
    """
    stored = (_store_postgres if connection.vendor == "postgresql" else _store_orm)(batch.rows) if batch.rows else []
    return StoreResult(new=len(stored), duplicate=batch.total - len(stored), stored=stored)


def tweets_store(*, records: Sequence[TweetRecord], context: StoreContext) -> StoreResult:
    """Insert the batch's posts that are not stored yet; count the others as duplicates."""
    return tweets_insert(batch=tweets_prepare(records=records, context=context))


def _stored_ids(platform_ids: list[str]) -> set[str]:
    if not platform_ids:
        return set()
    if connection.vendor == "postgresql":  # one array parameter instead of 2,000 placeholders
        with connection.cursor() as cursor:
            cursor.execute("SELECT platform_id FROM ingestion_tweet WHERE platform_id = ANY(%s)", [platform_ids])
            return {pid for (pid,) in cursor.fetchall()}
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
SELECT id, platform_id FROM inserted
"""

_Row = tuple[tuple[Any, ...], list[int]]
# The database types of `id` and `_COLUMNS`, for binary COPY (psycopg then dumps each value
# in C, and PostgreSQL parses no text: about a third of the Python time of a text COPY). The
# JSON columns are declared bytea: their values are already jsonb's binary form (`_jsonb`).
_BINARY_TYPES = (
    "bigint", "varchar", "text", "varchar", "timestamptz", "varchar", "varchar", "varchar", "varchar", "varchar",
    "varchar", "float8", "float8", "bool", "bool", "bool", "bytea", "bytea", "bytea", "bytea", "bytea", "varchar",
    "varchar", "float8", "varchar", "bigint", "bigint", "bigint", "timestamptz",
)
_CATEGORY_TYPES = ("bigint", "bigint", "timestamptz", "varchar")
_RESERVE_SQL = "SELECT nextval(pg_get_serial_sequence('ingestion_tweet', 'id')) FROM generate_series(1, %s)"
_TEXT = _COLUMNS.index("text")
_CREATED_AT = _COLUMNS.index("created_at")
_STATE = _COLUMNS.index("state")


def _store_postgres(rows: list[_Row]) -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(_RESERVE_SQL, [len(rows)])
        ids = [tweet_id for (tweet_id,) in cursor.fetchall()]
        try:
            # A savepoint: if a post was stored by another writer since `tweets_prepare`
            # looked, the unique constraint fails the copy and only the copy is undone.
            with transaction.atomic():
                _copy_new(cursor.cursor, rows, ids)
        except (IntegrityError, psycopg.errors.UniqueViolation):
            return _store_staged(cursor, rows)
    return [(tweet_id, values[_TEXT]) for tweet_id, (values, _) in zip(ids, rows, strict=True)]


def _copy_new(raw: psycopg.Cursor[Any], rows: list[_Row], ids: list[int]) -> None:
    """COPY the posts, then their categories, straight into their tables."""
    with raw.copy(f"COPY ingestion_tweet (id, {', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_BINARY_TYPES)
        write = copy.write_row
        for tweet_id, (values, _) in zip(ids, rows, strict=True):
            write((tweet_id, *values))
    with raw.copy(
        "COPY ingestion_tweetcategory (tweet_id, category_id, created_at, state) FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.set_types(_CATEGORY_TYPES)
        write = copy.write_row
        for tweet_id, (values, category_ids) in zip(ids, rows, strict=True):
            for category_id in category_ids:
                write((tweet_id, category_id, values[_CREATED_AT], values[_STATE]))


_JSON_POSITIONS = frozenset(_COLUMNS.index(name) for name in ("hashtags", "mentions", "urls", "metrics", "matches"))


def _json_as_text(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row for a text COPY: JSON columns as JSON text, without jsonb's version byte."""
    return tuple(value[1:].decode() if i in _JSON_POSITIONS else value for i, value in enumerate(values))


def _store_staged(cursor: Any, rows: list[_Row]) -> list[tuple[int, str]]:
    """The careful way, for a batch some of whose posts were stored meanwhile: ON CONFLICT DO NOTHING."""
    columns = ", ".join(_COLUMNS)
    cursor.execute(_STAGE_SQL)
    with cursor.cursor.copy(f"COPY ingest_stage ({columns}, category_ids) FROM STDIN") as copy:
        for values, category_ids in rows:
            copy.write_row((*_json_as_text(values), category_ids))
    cursor.execute(_INSERT_SQL.format(columns=columns))
    inserted = dict(cursor.fetchall())
    # ON COMMIT DELETE ROWS empties the stage at commit; empty it now too in case
    # the caller stores several batches in one transaction.
    cursor.execute("TRUNCATE ingest_stage")
    texts = {values[0]: values[_TEXT] for values, _ in rows}
    return [(tweet_id, texts[platform_id]) for tweet_id, platform_id in inserted.items()]


def _store_orm(rows: list[_Row]) -> list[tuple[int, str]]:
    json_columns = {"hashtags", "mentions", "urls", "metrics", "matches"}
    fresh = []
    for values, category_ids in rows:
        fields = dict(zip(_COLUMNS, values, strict=True))
        for name in json_columns:
            fields[name] = _jsonb_loads(fields[name])
        fresh.append((Tweet(**fields), category_ids))
    with transaction.atomic():
        tweets = Tweet.objects.bulk_create([tweet for tweet, _ in fresh], batch_size=500)
        links = [
            TweetCategory(tweet_id=tweet.pk, category_id=cat, created_at=tweet.created_at, state=tweet.state)
            for tweet, (_, cats) in zip(tweets, fresh, strict=True)
            for cat in cats
        ]
        TweetCategory.objects.bulk_create(links, batch_size=500)
    return [(tweet.pk, tweet.text) for tweet in tweets]
