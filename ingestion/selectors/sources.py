"""Reads of the configured sources: which are enabled for download."""
from __future__ import annotations

from django.db.models import QuerySet

from ingestion.models import Source


def sources_enabled() -> QuerySet[Source]:
    return Source.objects.filter(enabled=True).exclude(kind=Source.Kind.FILE)
