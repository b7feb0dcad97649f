"""The daily digest: one message per subscription that asked for it, with the day's changes of its series.

The evaluation holds a digest subscription's messages (status held); this
gathers them, once a day by the beat, into one message per subscription with
where its series stands now, and marks them as carried by it. The held rows
are claimed with `skip_locked`, so two runs at once never put one change in two
digests; the digest's key (its first change) makes a re-run after a crash
write it once.
"""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from alerts.models import Message, SeriesLevel, Subscription
from alerts.services.messages import message_create


def digests_send(*, now: datetime | None = None) -> int:
    """Write the digest of every subscription with held messages; the number of digests queued."""
    now = now or timezone.now()
    with transaction.atomic():
        held = list(Message.objects.select_for_update(skip_locked=True).filter(status=Message.Status.HELD)
                    .select_related("subscription").order_by("subscription_id", "created_at"))
        if not held:
            return 0
        series = {message.subscription.series for message in held}
        current = dict(SeriesLevel.objects.filter(series__in=series).values_list("series", "judgement"))
        written = 0
        for _, group in groupby(held, key=lambda message: message.subscription_id):
            parts = list(group)
            written += _digest_write(parts[0].subscription, parts, current=current, now=now)
    return written


def _digest_write(subscription: Subscription, parts: list[Message], *, current: dict[str, dict], now: datetime) -> int:
    if not subscription.active:
        Message.objects.filter(pk__in=[m.pk for m in parts]).update(status=Message.Status.DIGESTED)
        return 0
    judgement = current.get(subscription.series, {})
    payload = {
        "date": timezone.localdate(now).isoformat(), "series": parts[-1].payload.get("series", {}),
        "items": [part.payload for part in parts],
        "current": {key: judgement.get(key) for key in ("level", "level_label", "sentence", "rate", "usual_rate")},
    }
    digest = message_create(subscription=subscription, kind=Message.Kind.DIGEST, payload=payload,
                            key=f"digest:{subscription.pk}:{parts[0].pk}", now=now)
    Message.objects.filter(pk__in=[m.pk for m in parts]).update(status=Message.Status.DIGESTED, digest=digest)
    return 1
