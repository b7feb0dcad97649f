"""Where the dashboard's widgets read their counts: the rollups, or one user's own posts.

Every widget asks a source for sums of posts and discriminatory posts per
category or state and per period (windows counted back from the window's end,
or calendar days), and for top-term lists: the semáforo, the trends, the map
and "what is being said" are the same code for all posts, for a hashtag and
for a user. A rollup source sums in the database and returns a few hundred
rows at most; reading the hourly rows one by one would spend more time
turning timestamps into Python objects than the database spends finding them.

* All posts, one source's posts and hashtags read the rollups (`HourlyCount`,
  `TermHourly`). A hashtag's rows are not kept per source: a hashtag search
  counts every source's posts (`source_for` refuses the pair).
* A user is not rolled up: a rollup keyed by user would hold about a row per
  post for most users, as many rows as the posts table. A user's widgets count
  that user's posts in the period on the fly with the same `Tally` the rollups
  use, read through the index on the author's handle and the prediction's
  unique index: the cost grows with that user's posts in the period, never
  with the platform's. The handle is matched as X writes it (case included),
  and the posts can be one source's.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from django.db import connection
from django.db.models import ExpressionWrapper, F, Func, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from classifier.models import Prediction
from dashboard.levels import Counts
from dashboard.models import ALL_CATEGORIES, ALL_POSTS, ALL_STATES, SOURCE_SUBJECT_PREFIX, HourlyCount, TermHourly
from dashboard.services.rollups import (
    Tally,
    category_slug_ids,
    hashtag_key,
    is_source_subject,
    scored_posts,
    source_subject,
    tally_posts,
)

PhraseKind = Literal["term", "hashtag"]
GroupBy = Literal["category_id", "state"]
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class HoursBack:
    """Periods of `hours` hours counted back from `end`: index 0 ends at `end`, 1 is the one before, …"""

    end: datetime
    hours: int

    def index(self, hour: datetime) -> int:
        return (int((self.end - hour) / HOUR) - 1) // self.hours


@dataclass(frozen=True, slots=True)
class LocalDays:
    """Calendar days in the site's time zone, indexed by their date's ordinal."""

    def index(self, hour: datetime) -> int:
        return timezone.localtime(hour).date().toordinal()


Period = HoursBack | LocalDays
Sums = dict[tuple[Any, int], Counts]  # (category id or state, period index) → counts


class HourNumber(Func):
    """Whole hours since 1970 of a stored UTC hour: periods by integer arithmetic, on PostgreSQL and SQLite."""

    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s)::bigint / 3600)", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST(round((julianday(%(expressions)s) - 2440587.5) * 24) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)


def hour_number(moment: datetime) -> int:
    return int(moment.timestamp()) // 3600


@dataclass(frozen=True, slots=True)
class PhraseCount:
    """A term or hashtag and the scored posts that carry it (of them, the discriminatory ones)."""

    text: str
    posts: int
    discriminatory: int

    @property
    def rate(self) -> float | None:
        return self.discriminatory / self.posts if self.posts else None


class SourceNotCounted(ValueError):
    """A hashtag's posts of one source: the rollups do not count them (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class Subject:
    """Whose posts the widgets show: every post, a hashtag's, or a user's (by author); of one source, or of all."""

    kind: Literal["all", "hashtag", "user"] = "all"
    key: str = ""
    source_id: int | None = None  # a `Source`'s id: only its posts (the pages' ?fuente=)

    @classmethod
    def parse(cls, text: str) -> Subject:
        """"#LigaMX" → the hashtag "ligamx"; "@Fulano" → the user "Fulano"; a bare word is a hashtag; "" → all."""
        text = (text or "").strip()
        if text.startswith("@") and text[1:].strip():
            return cls("user", text[1:].strip())
        key = hashtag_key(text)
        return cls("hashtag", key) if key else cls()

    @property
    def label(self) -> str:
        return {"all": "", "hashtag": f"#{self.key}", "user": f"@{self.key}"}[self.kind]

    @property
    def hashtags_listed(self) -> bool:
        """Whether its posts' top hashtags are counted: a user's (on the fly) and every post's, not a hashtag's
        nor one source's (the rollups keep a hashtag's rows for every source together)."""
        return self.kind == "user" or (self.kind == "all" and self.source_id is None)


class CountSource(Protocol):
    def sums(
        self, *, since: datetime, until: datetime, category_ids: Sequence[int], by: GroupBy,
        period: Period, states: Sequence[str] | None = None,
    ) -> Sums:
        """Posts in [since, until) of these categories (0 = every post), summed per `by` and period.

        `states` None counts every state together (state "*"); else only the listed states."""
        ...

    def top(self, *, kind: PhraseKind, since: datetime, until: datetime, category_id: int, limit: int) -> list[PhraseCount]:
        """The terms or hashtags in most posts in [since, until), most first, ties by text."""
        ...


class RollupSource:
    """Counts of every post (subject ""), of one source's posts or of a hashtag's, from the rollups.

    Its reads are written in SQL rather than with the ORM: a page makes six of them, and building each query
    cost the ORM more CPU than PostgreSQL spends answering it. The SQL is the ORM's own, with the two
    expressions that differ between PostgreSQL and SQLite (a row's hour as a number, its local date)."""

    def __init__(self, *, model_version_id: int, subject: str = ALL_POSTS) -> None:
        self.version, self.subject = model_version_id, subject

    def sums(
        self, *, since: datetime, until: datetime, category_ids: Sequence[int], by: GroupBy,
        period: Period, states: Sequence[str] | None = None,
    ) -> Sums:
        period_sql, period_params = _period_sql(period)
        categories_sql, categories = _in_sql("category_id", category_ids)
        states_sql, places = ("state = %s", [ALL_STATES]) if states is None else _in_sql("state", states)
        key = "category_id" if by == "category_id" else "state"
        sql = (
            f"SELECT {key}, {period_sql} AS period, SUM(posts), SUM(discriminatory) FROM {_HOURLY} "
            f"WHERE model_version_id = %s AND subject = %s AND {categories_sql} AND hour >= %s AND hour < %s "
            f"AND {states_sql} GROUP BY {key}, period"
        )
        rows = _rows(sql, [*period_params, self.version, self.subject, *categories, *_when(since, until), *places])
        if isinstance(period, LocalDays):
            return {(key, _date(day).toordinal()): Counts(posts, disc) for key, day, posts, disc in rows}
        return {(key, index): Counts(posts, disc) for key, index, posts, disc in rows}

    def top(self, *, kind: PhraseKind, since: datetime, until: datetime, category_id: int, limit: int) -> list[PhraseCount]:
        scope = [self.version, category_id, *_when(since, until)]
        if kind == "term":
            sql = (
                f"SELECT term, SUM(posts) AS n, SUM(discriminatory) FROM {_TERMS} WHERE model_version_id = %s "
                "AND category_id = %s AND hour >= %s AND hour < %s AND subject = %s "
                "GROUP BY term ORDER BY n DESC, term ASC LIMIT %s"
            )
            return [PhraseCount(text, posts, disc) for text, posts, disc in _rows(sql, [*scope, self.subject, limit])]
        if self.subject != ALL_POSTS:
            return []  # hashtags are not counted per hashtag nor per source: what goes with those is their terms
        # The conditions on state and subject are the partial index's (hourlycount_hashtags_idx), as written there.
        sql = (
            f"SELECT subject, SUM(posts) AS n, SUM(discriminatory) FROM {_HOURLY} WHERE model_version_id = %s "
            "AND category_id = %s AND hour >= %s AND hour < %s AND state = %s AND NOT (subject = %s) "
            "AND NOT (subject LIKE %s) GROUP BY subject ORDER BY n DESC, subject ASC LIMIT %s"
        )
        params = [*scope, ALL_STATES, ALL_POSTS, f"{SOURCE_SUBJECT_PREFIX}%", limit]
        return [PhraseCount(text, posts, disc) for text, posts, disc in _rows(sql, params)]


_HOURLY, _TERMS = HourlyCount._meta.db_table, TermHourly._meta.db_table
_HOUR_NUMBER = {  # whole hours since 1970 of a stored UTC hour, as `HourNumber` writes it
    "postgresql": "(EXTRACT(EPOCH FROM hour)::bigint / 3600)",
    "sqlite": "CAST(round((julianday(hour) - 2440587.5) * 24) AS INTEGER)",
}


def _period_sql(period: Period) -> tuple[str, list[Any]]:
    """A row's period: its local date, or the index of its window counted back from the end."""
    if isinstance(period, LocalDays):
        sql, params = connection.ops.datetime_cast_date_sql("hour", (), timezone.get_current_timezone_name())
        return sql, list(params)
    return f"((%s - {_HOUR_NUMBER[connection.vendor]}) / %s)", [hour_number(period.end) - 1, period.hours]


def _in_sql(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _when(*moments: datetime) -> list[Any]:
    return [connection.ops.adapt_datetimefield_value(moment) for moment in moments]


def _date(day: date | str) -> date:
    return day if isinstance(day, date) else date.fromisoformat(day)  # SQLite's local dates come as text


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def subjects_sums(*, model_version_id: int, subjects: Sequence[str], since: datetime, until: datetime,
                  period: HoursBack) -> Sums:
    """Every post of each subject (hashtag keys, source subjects) in [since, until), summed per subject and period:
    many hashtags' and sources' series in one query (the alerts watch them together)."""
    rows = HourlyCount.objects.filter(
        model_version_id=model_version_id, subject__in=list(subjects), category_id=ALL_CATEGORIES,
        state=ALL_STATES, hour__gte=since, hour__lt=until,
    )
    by = "subject"
    grouped = _periods(rows, period).values_list(by, "period").annotate(p=Sum("posts"), d=Sum("discriminatory"))
    return {(key, index): Counts(posts, disc) for key, index, posts, disc in grouped}


def _periods(rows: QuerySet[HourlyCount], period: Period) -> QuerySet[HourlyCount]:
    if isinstance(period, LocalDays):
        return rows.annotate(period=TruncDate("hour", tzinfo=timezone.get_current_timezone()))
    back = (Value(hour_number(period.end) - 1) - HourNumber(F("hour"))) / Value(period.hours)
    return rows.annotate(period=ExpressionWrapper(back, output_field=IntegerField()))


@dataclass(slots=True)
class AuthorSource:
    """Counts of one user's posts, tallied on the fly (see the module docstring)."""

    model_version_id: int
    handle: str
    source_id: int | None = None
    _tallies: dict[tuple[datetime, datetime], Tally] = field(default_factory=dict)

    def tally(self, *, since: datetime, until: datetime) -> Tally:
        key = (since, until)
        if key not in self._tallies:
            predictions = Prediction.objects.filter(
                model_version_id=self.model_version_id, tweet__author_handle=self.handle,
                tweet__created_at__gte=since, tweet__created_at__lt=until,
            )
            if self.source_id is not None:
                predictions = predictions.filter(tweet__source_id=self.source_id)
            self._tallies[key] = tally_posts(Tally(), scored_posts(predictions), slug_ids=category_slug_ids())
        return self._tallies[key]

    def sums(
        self, *, since: datetime, until: datetime, category_ids: Sequence[int], by: GroupBy,
        period: Period, states: Sequence[str] | None = None,
    ) -> Sums:
        wanted, places = set(category_ids), {ALL_STATES} if states is None else set(states)
        found: dict[tuple[Any, int], list[int]] = {}
        for (subject, category, state, hour), (posts, disc) in self.tally(since=since, until=until).hourly.items():
            if subject == ALL_POSTS and category in wanted and state in places:
                cell = found.setdefault((category if by == "category_id" else state, period.index(hour)), [0, 0])
                cell[0] += posts
                cell[1] += disc
        return {key: Counts(posts, disc) for key, (posts, disc) in found.items()}

    def top(self, *, kind: PhraseKind, since: datetime, until: datetime, category_id: int, limit: int) -> list[PhraseCount]:
        tally = self.tally(since=since, until=until)
        sums: dict[str, list[int]] = {}
        if kind == "term":
            items = [(term, counts) for (subject, category, _, term), counts in tally.terms.items()
                     if subject == ALL_POSTS and category == category_id]
        else:
            items = [(subject, counts) for (subject, category, state, _), counts in tally.hourly.items()
                     if subject != ALL_POSTS and not is_source_subject(subject) and category == category_id
                     and state == ALL_STATES]
        for text, (posts, disc) in items:
            found = sums.setdefault(text, [0, 0])
            found[0] += posts
            found[1] += disc
        ranked = sorted(sums.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
        return [PhraseCount(text, posts, disc) for text, (posts, disc) in ranked]


def source_for(subject: Subject, *, model_version_id: int) -> CountSource:
    """Where a subject's counts come from; SourceNotCounted for a hashtag of one source."""
    if subject.kind == "user":
        return AuthorSource(model_version_id=model_version_id, handle=subject.key, source_id=subject.source_id)
    if subject.kind == "hashtag":
        if subject.source_id is not None:
            raise SourceNotCounted(subject.key)
        return RollupSource(model_version_id=model_version_id, subject=subject.key)
    whole = ALL_POSTS if subject.source_id is None else source_subject(subject.source_id)
    return RollupSource(model_version_id=model_version_id, subject=whole)

