"""Reads of the statistics endpoint: counts and rates per day, category and state."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from classifier.selectors.predictions import predicted_category_q
from dashboard.selectors.posts import PostFilters, tweets_filter
from ingestion.models import Tweet

STATS_GROUPS = ("day", "category", "state")  # also the order rows are sorted in


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsRow:
    """Counts of one group; a dimension not grouped by is None. `state` is "" for posts not attributed to a state."""

    day: date | None = None
    category: str | None = None
    state: str | None = None
    posts: int
    scored: int
    discriminatory: int

    @property
    def rate(self) -> float | None:
        """Share of the scored posts the model judged discriminatory."""
        return round(self.discriminatory / self.scored, 4) if self.scored else None


def stats_rows(*, filters: PostFilters, group_by: Sequence[str], limit: int, offset: int = 0) -> list[StatsRow]:
    """Posts, scored posts and discriminatory posts per group of `group_by` (days in the site's time zone).

    Categories are the ones `filters.model_version` predicted: grouping by category
    counts a post once in each of its predicted categories, and only scored posts.
    """
    groups = [name for name in STATS_GROUPS if name in group_by]
    if not groups:
        raise ValueError(f"group_by needs one of {STATS_GROUPS}")
    version = filters.model_version
    if version is None and ("category" in groups or filters.category is not None):
        return []
    tweets = tweets_filter(filters=replace(filters, category=None, discriminatory=None)).order_by()
    columns: dict[str, Any] = {"g_day": TruncDate("created_at", tzinfo=timezone.get_default_timezone()), "g_state": F("state")}
    if version is not None:
        tweets = tweets.alias(p=FilteredRelation("predictions", condition=Q(predictions__model_version=version)))
        if filters.category is not None:
            tweets = tweets.filter(predicted_category_q(field="p__categories", slug=filters.category))
        columns.update(p_id=F("p__id"), p_disc=F("p__discriminatory"), p_cats=F("p__categories"))
    inner_sql, params = tweets.annotate(**columns).values(*columns).query.sql_with_params()
    rows = _grouped(
        inner_sql, list(params), groups=groups, scored=version is not None, category=filters.category, limit=limit, offset=offset
    )
    return [StatsRow(**dict(zip(groups, keys, strict=True)), posts=posts, scored=scored, discriminatory=disc)
            for *keys, posts, scored, disc in rows]


def _grouped(
    inner_sql: str, params: list[Any], *, groups: list[str], scored: bool, category: str | None, limit: int, offset: int
) -> list[tuple[Any, ...]]:
    """GROUP BY over the filtered posts; a post counts once per predicted category when grouping by category
    (only in `category` when the posts were filtered by it: their other categories are not what was asked).

    Plain SQL around the ORM's query, because expanding a JSON list into rows
    (a lateral join) is beyond the ORM. Only fixed column names are interpolated.
    """
    db = connections[Tweet.objects.db]
    postgres = db.vendor == "postgresql"
    column = {"day": "t.g_day", "state": "t.g_state", "category": "c.slug" if postgres else "c.value"}
    expand, where, extra = "", "", []
    if "category" in groups:
        expand = "CROSS JOIN LATERAL jsonb_array_elements_text(t.p_cats) AS c(slug)" if postgres else "JOIN json_each(t.p_cats) AS c"
        if category is not None:
            where, extra = f"WHERE {column['category']} = %s", [category]
    keys = ", ".join(column[name] for name in groups)
    counts = "COUNT(t.p_id), SUM(CASE WHEN t.p_disc THEN 1 ELSE 0 END)" if scored else "0, 0"
    sql = (
        f"SELECT {keys}, COUNT(*), {counts} FROM ({inner_sql}) AS t {expand} {where} "
        f"GROUP BY {keys} ORDER BY {keys} LIMIT %s OFFSET %s"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [*params, *extra, limit, offset])
        rows = cursor.fetchall()
    day_at = groups.index("day") if "day" in groups else None
    return [_typed(row, day_at) for row in rows]


def _typed(row: tuple[Any, ...], day_at: int | None) -> tuple[Any, ...]:
    """Days as dates (SQLite returns them as text) and counts as integers."""
    values = list(row)
    if day_at is not None and isinstance(values[day_at], str):
        values[day_at] = date.fromisoformat(values[day_at])
    values[-3:] = [int(value or 0) for value in values[-3:]]
    return tuple(values)
