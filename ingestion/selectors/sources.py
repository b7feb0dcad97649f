"""Reads of the configured sources: which are downloaded on schedule, what each has read this month and at
what estimated cost, and how healthy each is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from ingestion.models import IngestionRun, Source

# Sources that read continuously in their own process (`consume_bluesky`), never on the beat's schedule.
STREAMING_KINDS = (Source.Kind.BLUESKY,)


def sources_enabled() -> QuerySet[Source]:
    """The sources the beat downloads every 15 minutes: enabled, neither file imports nor streams."""
    return Source.objects.filter(enabled=True).exclude(kind=Source.Kind.FILE).exclude(kind__in=STREAMING_KINDS)


def month_start(*, now: datetime | None = None) -> datetime:
    """The start of the current month in the platform's time zone (Mexico City), when monthly caps reset."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_next(*, now: datetime | None = None) -> datetime:
    """When the monthly caps reset (zoneinfo computes the offset from the wall time, so this is local midnight)."""
    return (month_start(now=now) + timedelta(days=32)).replace(day=1)


def source_price(*, source: Source) -> Decimal:
    """Price of one post read: the source's own, else its kind's (X: `X_PRICE_PER_POST`; the rest are free)."""
    if source.price_per_post is not None:
        return Decimal(source.price_per_post)
    return Decimal(settings.X_PRICE_PER_POST) if source.kind == Source.Kind.X_API else Decimal(0)


@dataclass(frozen=True, slots=True)
class SourceBudget:
    read_month: int  # posts read since the month started (every run's `fetched`)
    monthly_cap: int | None
    run_cap: int | None
    price: Decimal
    resets_at: datetime

    @property
    def cost_month(self) -> Decimal:
        return (self.price * self.read_month).quantize(Decimal("0.01"))

    @property
    def left_month(self) -> int | None:
        return None if self.monthly_cap is None else max(self.monthly_cap - self.read_month, 0)

    @property
    def allowance(self) -> int | None:
        """Posts the next run may read: the smaller of the run cap and what is left of the month's; None: no cap."""
        caps = [cap for cap in (self.run_cap, self.left_month) if cap is not None]
        return min(caps) if caps else None


def source_budget(*, source: Source, now: datetime | None = None) -> SourceBudget:
    start = month_start(now=now)
    read = IngestionRun.objects.filter(source=source, started_at__gte=start).aggregate(n=Sum("fetched"))["n"] or 0
    return SourceBudget(
        read_month=read, monthly_cap=source.monthly_cap, run_cap=source.run_cap, price=source_price(source=source),
        resets_at=month_next(now=now),
    )


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source: Source
    budget: SourceBudget
    new_last_hour: int  # posts stored by runs that finished (or ran) within the last hour
    read_last_hour: int
    last_run: IngestionRun | None
    now: datetime

    @property
    def lag(self) -> timedelta | None:
        """How far behind real time (`now`) the newest post or event read is."""
        return self.now - self.source.last_event_at if self.source.last_event_at else None


def sources_health(*, now: datetime | None = None) -> list[SourceHealth]:
    """Every source but file imports with its budget, last hour's throughput and last run (the admin and /ingesta/)."""
    now = now or timezone.now()
    hour_ago = now - timedelta(hours=1)
    health = []
    for source in Source.objects.exclude(kind=Source.Kind.FILE).order_by("-enabled", "name"):
        recent = IngestionRun.objects.filter(source=source).filter(
            Q(finished_at__gte=hour_ago) | Q(status=IngestionRun.Status.RUNNING)
        ).aggregate(new=Sum("new"), read=Sum("fetched"))
        health.append(SourceHealth(
            source=source, budget=source_budget(source=source, now=now), new_last_hour=recent["new"] or 0,
            read_last_hour=recent["read"] or 0, last_run=source.runs.order_by("-started_at").first(), now=now,
        ))
    return health
