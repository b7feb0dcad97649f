"""Reads of the annotators' queue: the pending texts a campaign from the queue may take, and how many wait."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Count, QuerySet

from labeling.models import Campaign, QueuedText


def queued_texts_pending(
    *, task: str, origin: str = "", api_key_id: str | None = None, since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[QueuedText]:
    """Pending texts of the task (not in any campaign yet) matching the filters; every empty filter matches all."""
    texts = QueuedText.objects.filter(task=task, status=QueuedText.Status.PENDING)
    if origin:
        texts = texts.filter(origin=origin)
    if api_key_id:
        texts = texts.filter(api_key_id=api_key_id)
    if since is not None:
        texts = texts.filter(created_at__gte=since)
    if until is not None:
        texts = texts.filter(created_at__lt=until)
    return texts


def campaign_queued_texts(*, campaign: Campaign) -> QuerySet[QueuedText]:
    """The pending texts a campaign from the queue matches: its task, origin, API key and dates."""
    return queued_texts_pending(task=campaign.task, origin=campaign.queue_origin, api_key_id=campaign.queue_api_key_id,
                                since=campaign.since, until=campaign.until)


def queue_pending_counts() -> list[tuple[str, str, int]]:
    """How many texts wait per (task, origin), for the coordinator's page."""
    return list(
        QueuedText.objects.filter(status=QueuedText.Status.PENDING)
        .values("task", "origin").annotate(n=Count("id")).order_by("task", "origin").values_list("task", "origin", "n")
    )
