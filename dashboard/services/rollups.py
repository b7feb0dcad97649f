"""Rollup writes: add newly scored posts to the hourly counts, and recount them from posts and predictions.

Exactly once without a mark on every post: the scoring step calls `rollups_add`
in the transaction that inserts the predictions, with the posts whose
prediction that insert created (its RETURNING rows). Scoring a batch again
inserts nothing and so adds nothing; a worker that dies half-way rolls back the
predictions and their counts together. Counts are added with
`INSERT ... ON CONFLICT DO UPDATE SET posts = posts + excluded.posts`, so two
workers adding to the same hour never lose each other's posts.

`rollups_rebuild` replaces a version's rows over a time range with a recount,
a day per transaction. The same `Tally` counts both ways, so an incremental
count and a recount cannot disagree on what a post adds: its hashtags' rows and
its source's rows (`source_subject`) included.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import orjson
from django.db import connection, models, transaction
from django.db.models import BooleanField, F, Field, Func, Max, Min, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast

from classifier.models import Prediction
from dashboard.models import (
    ALL_CATEGORIES,
    ALL_POSTS,
    ALL_STATES,
    SOURCE_SUBJECT_PREFIX,
    SUBJECT_MAX,
    TERM_MAX,
    HourlyCount,
    TermHourly,
)
from ingestion.models import Category, Tweet, TweetCategory

READ_CHUNK = 2000  # posts per query: SQLite caps the parameters of one statement
UPSERT_ROWS = 500
REBUILD_CHUNK = timedelta(days=1)
_LOCK_NAMESPACE = 0x5E7A  # first key of the PostgreSQL advisory lock a rebuild takes per version

HourlyKey = tuple[str, int, str, datetime]  # subject, category id, state, hour
TermKey = tuple[str, int, datetime, str]  # subject, category id, hour, term


class ScoredPost(NamedTuple):
    id: int
    created_at: datetime
    state: str
    hashtags: list[Any]
    matches: list[Any]
    discriminatory: bool
    source_id: int | None = None


def hour_floor(moment: datetime) -> datetime:
    """The UTC hour a moment falls in."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hashtag_key(tag: Any) -> str:
    """How a hashtag is counted and searched: lower case, without "#"; "" for nothing usable.

    A tag with a ":" is not one: X and Mastodon end a hashtag before it, and a
    subject with a ":" is a source's (`source_subject`), which no hashtag, however a
    source or a file spells it, may count into or be searched as.
    """
    if not isinstance(tag, str):
        return ""
    key = tag.strip().lstrip("#").lower()[:SUBJECT_MAX]
    return "" if ":" in key else key


def source_subject(source_id: int) -> str:
    """The rollups' subject of one source's posts: "fuente:<id>" (a ":" that no hashtag key holds)."""
    return f"{SOURCE_SUBJECT_PREFIX}{source_id}"


def is_source_subject(subject: str) -> bool:
    return subject.startswith(SOURCE_SUBJECT_PREFIX)


def _term_pairs(matches: Iterable[Any], slug_ids: Mapping[str, int]) -> set[tuple[str, int]]:
    """(term, category id) for each term a post matched, with 0 for every post; a term counts once per post.

    A term counts in the categories its match recorded at ingestion, which are the
    categories the term belonged to then; a later edit of the dictionary does not
    move past posts.
    """
    pairs: set[tuple[str, int]] = set()
    for match in matches:
        if not isinstance(match, dict) or not isinstance(match.get("term"), str):
            continue
        term = match["term"][:TERM_MAX]
        pairs.add((term, ALL_CATEGORIES))
        pairs.update((term, slug_ids[slug]) for slug in match.get("categories") or () if slug in slug_ids)
    return pairs


@dataclass(slots=True)
class Tally:
    """Counts of a set of posts as rollup rows: key → [posts, discriminatory]."""

    hourly: dict[HourlyKey, list[int]] = field(default_factory=dict)
    terms: dict[TermKey, list[int]] = field(default_factory=dict)
    posts: int = 0

    def post_add(self, post: ScoredPost, *, categories: Sequence[int], slug_ids: Mapping[str, int]) -> None:
        """Count one post in every row it belongs to (see the models' docstring for which)."""
        hour, disc = hour_floor(post.created_at), int(post.discriminatory)
        tags = sorted({key for key in map(hashtag_key, post.hashtags or ()) if key})
        # Every post and its source's posts get the whole cube (a category's map needs it); a post has one
        # source, so the sources' rows together are at most as many as the rows of every post.
        wholes = (ALL_POSTS,) if post.source_id is None else (ALL_POSTS, source_subject(post.source_id))
        for category in (ALL_CATEGORIES, *categories):
            for whole in wholes:
                self._add(self.hourly, (whole, category, ALL_STATES, hour), disc)
                self._add(self.hourly, (whole, category, post.state, hour), disc)
            for tag in tags:
                self._add(self.hourly, (tag, category, ALL_STATES, hour), disc)
        for tag in tags:
            self._add(self.hourly, (tag, ALL_CATEGORIES, post.state, hour), disc)
        pairs = _term_pairs(post.matches or (), slug_ids)
        for subject in (*wholes, *tags):
            for term, category in pairs:
                self._add(self.terms, (subject, category, hour, term), disc)
        self.posts += 1

    @staticmethod
    def _add(counts: dict[Any, list[int]], key: Any, disc: int) -> None:
        found = counts.get(key)
        if found is None:
            counts[key] = [1, disc]
        else:
            found[0] += 1
            found[1] += disc


# --- Reading posts ---------------------------------------------------------------------

class _AnyOf(Func):
    """`column = ANY(%s)` with the ids as one array parameter (PostgreSQL)."""

    output_field = BooleanField()
    arg_joiner = " = ANY("
    template = "(%(expressions)s))"


def ids_in(field: str, ids: Sequence[int]) -> Q | _AnyOf:
    """A filter on `field` being one of `ids`. On PostgreSQL one array parameter: an IN list costs
    the ORM and the driver work per id, half the time of reading a scoring batch's posts."""
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), Value(list(ids), output_field=Field()))
    return Q(**{f"{field}__in": ids})


def category_slug_ids() -> dict[str, int]:
    return dict(Category.objects.values_list("slug", "pk"))


def scored_posts(predictions: QuerySet[Prediction]) -> list[ScoredPost]:
    """The dated posts of these predictions, with what the rollups count of them."""
    # The JSON lists come as text and go through orjson: the JSON field's own json.loads
    # was a fifth of the time of an incremental update.
    rows = predictions.filter(tweet__created_at__isnull=False).values_list(
        "tweet_id", "tweet__created_at", "tweet__state", Cast("tweet__hashtags", TextField()),
        Cast("tweet__matches", TextField()), "discriminatory", "tweet__source_id",
    )
    return [ScoredPost(pk, created, state, orjson.loads(tags), orjson.loads(matches), disc, source)
            for pk, created, state, tags, matches, disc, source in rows if created is not None]


def post_categories(posts: Sequence[ScoredPost]) -> dict[int, list[int]]:
    """Each post's matched categories (ids), read a chunk of posts at a time."""
    found: dict[int, list[int]] = {}
    ids = [post.id for post in posts]
    for start in range(0, len(ids), READ_CHUNK):
        links = TweetCategory.objects.filter(ids_in("tweet_id", ids[start:start + READ_CHUNK])).order_by()
        for tweet_id, category_id in links.values_list("tweet_id", "category_id"):
            found.setdefault(tweet_id, []).append(category_id)
    return found


def tally_posts(tally: Tally, posts: Sequence[ScoredPost], *, slug_ids: Mapping[str, int]) -> Tally:
    categories = post_categories(posts)
    for post in posts:
        tally.post_add(post, categories=sorted(categories.get(post.id, ())), slug_ids=slug_ids)
    return tally


# --- Writing counts --------------------------------------------------------------------

def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _upsert_add(model: type[models.Model], *, keys: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Add each row's counts to the stored ones, inserting the rows that are new."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ["model_version_id", *keys, "posts", "discriminatory"]
    head = f"INSERT INTO {table} ({', '.join(map(quote, columns))}) "
    tail = (
        f" ON CONFLICT ({', '.join(map(quote, ['model_version_id', *keys]))}) DO UPDATE SET "
        f"posts = {table}.posts + excluded.posts, discriminatory = {table}.discriminatory + excluded.discriminatory"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows go by COPY into a staging table, then one INSERT ... SELECT adds them: binding
            # them as parameters (even as one array per column) cost the driver more than the upsert.
            types = [model._meta.get_field(name).db_type(connection) for name in columns]
            staging = f"{model._meta.db_table}_staging"
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ("
                           + ", ".join(f"{quote(name)} {kind}" for name, kind in zip(columns, types, strict=True))
                           + ") ON COMMIT DELETE ROWS")
            with cursor.cursor.copy(f"COPY {staging} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # Deleted by the same statement: a caller's outer transaction may add more; in key order, as given.
            cursor.execute(f"WITH staged AS (DELETE FROM {staging} RETURNING *) "
                           + head + f"SELECT * FROM staged ORDER BY {', '.join(map(quote, columns[:-2]))}" + tail)
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for chunk in _chunks(rows, UPSERT_ROWS):
            cursor.execute(head + "VALUES " + ", ".join([one] * len(chunk)) + tail, [value for row in chunk for value in row])


def tally_write(tally: Tally, *, model_version_id: int) -> None:
    """Add a tally to a version's rows.

    Rows go in key order, tables in a fixed order: two transactions adding to
    the same rows lock them in the same order, so they queue instead of deadlocking.
    """
    when = connection.ops.adapt_datetimefield_value
    hourly = [
        (model_version_id, subject, category, state, when(hour), posts, disc)
        for (subject, category, state, hour), (posts, disc) in sorted(tally.hourly.items())
    ]
    terms = [
        (model_version_id, subject, category, when(hour), term, posts, disc)
        for (subject, category, hour, term), (posts, disc) in sorted(tally.terms.items())
    ]
    _upsert_add(HourlyCount, keys=("subject", "category_id", "state", "hour"), rows=hourly)
    _upsert_add(TermHourly, keys=("subject", "category_id", "hour", "term"), rows=terms)


# --- Services --------------------------------------------------------------------------

def rollups_add(
    *, model_version_id: int, tweet_ids: Sequence[int], discriminatory: Mapping[int, bool] | None = None,
) -> int:
    """Add posts a model version has just scored to its rollups; the number of posts counted.

    Call it once per prediction: in the transaction that inserted these posts'
    predictions, with only the posts whose prediction that insert created.
    Posts without a date are not counted (they cannot be placed in an hour).
    `discriminatory`, the scoring step's own judgement of each post, saves
    reading the predictions back: the posts are then read by primary key, a
    plan that no table statistics can turn into a scan of the version's
    predictions (which stale statistics did, at 1.8 s a batch).
    """
    if not tweet_ids:
        return 0
    slug_ids = category_slug_ids()
    tally = Tally()
    for chunk in _chunks(list(tweet_ids), READ_CHUNK):
        if discriminatory is None:
            posts = scored_posts(Prediction.objects.filter(ids_in("tweet_id", chunk), model_version_id=model_version_id))
        else:
            posts = posts_judged(chunk, discriminatory=discriminatory)
        tally_posts(tally, posts, slug_ids=slug_ids)
    tally_write(tally, model_version_id=model_version_id)
    return tally.posts


def posts_judged(ids: Sequence[int], *, discriminatory: Mapping[int, bool]) -> list[ScoredPost]:
    """The dated posts among `ids`, with what the rollups count of them and the given judgements."""
    rows = Tweet.objects.filter(ids_in("id", ids), created_at__isnull=False).order_by().values_list(
        "id", "created_at", "state", Cast("hashtags", TextField()), Cast("matches", TextField()), "source_id",
    )
    return [ScoredPost(pk, created, state, orjson.loads(tags), orjson.loads(matches), discriminatory[pk], source)
            for pk, created, state, tags, matches, source in rows]


@dataclass(slots=True)
class RebuildSummary:
    posts: int = 0
    hours: int = 0
    since: datetime | None = None
    until: datetime | None = None


def counted_time_range(*, model_version_id: int) -> tuple[datetime, datetime] | None:
    """From the first to past the last hour with a post or with a row of the version's rollups; None if neither.

    The rows count too: a row where no post is left (deleted since) must be recounted to nothing.
    Both ends are read through indexes (the posts' time, the rollups' version and hour).
    """
    posts = Tweet.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    rows = HourlyCount.objects.filter(model_version_id=model_version_id).aggregate(first=Min("hour"), last=Max("hour"))
    firsts = [hour_floor(moment) for moment in (posts["first"], rows["first"]) if moment is not None]
    lasts = [hour_floor(moment) for moment in (posts["last"], rows["last"]) if moment is not None]
    if not firsts:
        return None
    return min(firsts), max(lasts) + timedelta(hours=1)


def rollups_rebuild(
    *, model_version_id: int, since: datetime | None = None, until: datetime | None = None,
    on_progress: Callable[[RebuildSummary, int], None] | None = None,
) -> RebuildSummary:
    """Replace a version's rollups over [since, until) (by default, every hour with posts or rows) with a recount.

    A day per transaction, so readers see a day's old counts or its new ones,
    never half; `on_progress(summary, total_hours)` after each day. Posts
    scored meanwhile are counted once, by the rebuild or on top of it.
    """
    bounds = counted_time_range(model_version_id=model_version_id) if since is None or until is None else None
    if bounds is None and (since is None or until is None):
        return RebuildSummary()
    start = hour_floor(since) if since is not None else bounds[0]  # type: ignore[index]
    end = hour_floor(until - timedelta(microseconds=1)) + timedelta(hours=1) if until is not None else bounds[1]  # type: ignore[index]
    summary = RebuildSummary(since=start, until=end)
    total = max(int((end - start) / timedelta(hours=1)), 0)
    slug_ids = category_slug_ids()
    low = start
    while low < end:
        high = min(low + REBUILD_CHUNK, end)
        summary.posts += _range_recount(model_version_id=model_version_id, low=low, high=high, slug_ids=slug_ids)
        summary.hours += int((high - low) / timedelta(hours=1))
        if on_progress is not None:
            on_progress(summary, total)
        low = high
    _statistics_refresh()
    return summary


def _statistics_refresh() -> None:
    """Fresh planner statistics after a rebuild: without them PostgreSQL may read a whole version's rows
    through the wrong index (measured: 25 ms instead of 2 ms for the semáforo's query)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {HourlyCount._meta.db_table}, {TermHourly._meta.db_table}")


def _range_recount(*, model_version_id: int, low: datetime, high: datetime, slug_ids: Mapping[str, int]) -> int:
    with transaction.atomic():
        _rebuild_lock(model_version_id)
        for model in (HourlyCount, TermHourly):
            model.objects.filter(model_version_id=model_version_id, hour__gte=low, hour__lt=high).delete()
        # Separate statements, read committed: the recount below sees every prediction
        # committed before it starts. A scoring transaction still open adds its own
        # posts on top when it commits (its upsert waits for these rows), so a
        # rebuild running next to the scoring step neither drops nor doubles a post.
        predictions = Prediction.objects.filter(
            model_version_id=model_version_id, tweet__created_at__gte=low, tweet__created_at__lt=high
        )
        tally = tally_posts(Tally(), scored_posts(predictions), slug_ids=slug_ids)
        tally_write(tally, model_version_id=model_version_id)
    return tally.posts


def _rebuild_lock(model_version_id: int) -> None:
    """Two rebuilds of one version take turns per day: otherwise the second's delete would miss
    the rows the first inserts meanwhile, and its recount would be added to them.
    (SQLite lets one writer in at a time anyway.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, model_version_id])
