"""Reads of ingestion runs: the recent history."""
from __future__ import annotations

from django.db.models import QuerySet

from ingestion.models import IngestionRun


def runs_recent(*, limit: int = 20) -> QuerySet[IngestionRun]:
    return IngestionRun.objects.select_related("source").order_by("-started_at")[:limit]
