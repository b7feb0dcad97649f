"""The sources the scheduler downloads (enabled ones that download: not files, not streams), and each
source's budget: what it read this month, counted in Mexico City's calendar."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ingestion.models import IngestionRun, Source
from ingestion.selectors.sources import month_next, month_start, source_budget, sources_enabled
from ingestion.services.imports import source_file_get
from tests.factories import IngestionRunFactory, SourceFactory


@pytest.mark.django_db
def test_disabled_file_and_streaming_sources_are_not_scheduled():
    enabled = SourceFactory(slug="on")
    SourceFactory(slug="off", enabled=False)
    source_file_get()
    Source.objects.filter(slug="bluesky").update(enabled=True)  # read by its own process, never by the beat
    assert list(sources_enabled()) == [enabled]
    # The migrations create Bluesky and Mastodon switched off: they need the internet.
    assert set(Source.objects.filter(enabled=False).values_list("slug", flat=True)) == {"off", "mastodon", "files"}


def test_the_month_turns_at_midnight_in_mexico_city_not_in_utc():
    late_november_local = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)  # 23:30 on 30 November in Mexico City
    assert month_start(now=late_november_local).isoformat() == "2026-11-01T00:00:00-06:00"
    assert month_next(now=late_november_local).isoformat() == "2026-12-01T00:00:00-06:00"
    assert month_next(now=datetime(2026, 12, 15, tzinfo=UTC)).isoformat() == "2027-01-01T00:00:00-06:00"


@pytest.mark.django_db
def test_budget_counts_this_months_runs_at_the_sources_price():
    x = SourceFactory(slug="x", kind=Source.Kind.X_API, monthly_cap=1_000, run_cap=300, price_per_post=Decimal("0.01"))
    IngestionRunFactory(source=x, fetched=850, status=IngestionRun.Status.SUCCEEDED)
    old = IngestionRunFactory(source=x, fetched=5_000, status=IngestionRun.Status.SUCCEEDED)
    IngestionRun.objects.filter(pk=old.pk).update(started_at=datetime(2026, 1, 5, tzinfo=UTC))

    budget = source_budget(source=x)
    assert (budget.read_month, budget.left_month, budget.allowance) == (850, 150, 150)
    assert budget.cost_month == Decimal("8.50")
    assert source_budget(source=SourceFactory(slug="free", kind=Source.Kind.MASTODON)).cost_month == 0
