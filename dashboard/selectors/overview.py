"""Reads of the ingestion overview page (`/ingesta/`): what has been ingested, by category, state and run."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from ingestion.geo import STATE_NAMES
from ingestion.models import Category, IngestionRun, Tweet, TweetCategory


@dataclass(frozen=True, slots=True)
class CategoryCount:
    slug: str
    name: str
    total: int
    recent: int


def overview_totals(*, window: timedelta) -> dict[str, int]:
    since = timezone.now() - window
    return Tweet.objects.aggregate(
        total=Count("id"),
        recent=Count("id", filter=Q(created_at__gte=since)),
        matched=Count("id", filter=~Q(matches=[])),
        attributed=Count("id", filter=~Q(state="")),
    )


def overview_categories(*, window: timedelta) -> list[CategoryCount]:
    since = timezone.now() - window
    counts: dict[int, tuple[int, int]] = {
        row["category_id"]: (row["total"], row["recent"])
        for row in TweetCategory.objects.values("category_id").annotate(
            total=Count("id"), recent=Count("id", filter=Q(created_at__gte=since))
        )
    }
    return [
        CategoryCount(c.slug, c.name, *counts.get(c.pk, (0, 0)))
        for c in Category.objects.filter(active=True).order_by("name")
    ]


def overview_states(*, limit: int = 10) -> list[tuple[str, int]]:
    # Ties are broken by code so the top `limit` does not change from one reload to the next.
    rows = Tweet.objects.exclude(state="").values("state").annotate(n=Count("id")).order_by("-n", "state")[:limit]
    return [(STATE_NAMES.get(r["state"], r["state"]), r["n"]) for r in rows]


def overview_runs(*, limit: int = 8) -> list[IngestionRun]:
    return list(IngestionRun.objects.select_related("source").order_by("-started_at")[:limit])
