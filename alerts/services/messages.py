"""The outbox: a message row written in the caller's transaction, queued for sending once that commits.

A message's `payload` is what every channel renders (`services/deliveries.py`)
and what a webhook receives as its `data`. By kind:

* ``enter`` / ``leave`` — a watched series entered its subscription's level
  (or rose from yellow to red) / returned to green::

    {"series": {"key": "category:3", "watch": "category", "name": "Género", "url": "https://…/categoria/genero/"},
     "level": "red", "level_label": "Rojo", "previous_level": "green", "trigger": "red",
     "sentence": "Rojo: 3.1 veces la tasa habitual de las últimas 4 semanas.",
     "rate": 0.124, "usual_rate": 0.04, "posts": 340, "discriminatory": 42,
     "yellow_at": 0.061, "red_at": 0.082, "window_start": "2026-12-01T18:00:00+00:00",
     "window_end": "2026-12-03T18:00:00+00:00", "window_hours": 48, "model_version": 3,
     "at": "2026-12-03T17:12:09+00:00"}

  ``rate``, ``usual_rate``, ``yellow_at`` and ``red_at`` are shares (0.124 =
  12.4 %); ``usual_rate`` is the baseline mean the sentence compares with.
* ``digest`` — a day's held messages of one subscription::

    {"date": "2026-12-03", "series": {…}, "items": [<enter/leave payloads, oldest first>],
     "current": {"level": "green", "level_label": "Verde", "sentence": "…"}}

* ``bulletin`` — a bulletin was published::

    {"bulletin": {"slug": "2026-11", "title": "…", "period_start": "…", "period_end": "…",
                  "url": "https://…/boletines/2026-11/", "pdf_url": "https://…/boletines/2026-11.pdf"}}

* ``test`` — a subscriber's "send a test" button: {"text": "…"}.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone

from alerts.models import Message, Subscription

SEND_TASK = "alerts.tasks.message_send"  # by name: the tasks module imports these services
SWEEP_TASK = "alerts.tasks.messages_due_send"
QUEUED_ONE_BY_ONE = 100  # more messages at once are queued by one sweep task, from a worker


def message_create(
    *, subscription: Subscription | int, kind: str, payload: dict[str, Any], key: str | None = None,
    now: datetime | None = None,
) -> Message:
    """Write a message for a subscription in the current transaction; it is queued once that commits.

    With a `key` already used, the existing message is returned and nothing is
    queued: a bulletin or a digest written twice is sent once.
    """
    subscription_id = subscription if isinstance(subscription, int) else subscription.pk
    fields = {"subscription_id": subscription_id, "kind": kind, "payload": payload,
              "status": Message.Status.PENDING, "next_attempt_at": now or timezone.now()}
    if key is not None:
        message, created = Message.objects.get_or_create(key=key, defaults=fields)
        if not created:
            return message
    else:
        message = Message.objects.create(**fields)
    messages_queue([message.pk])
    return message


def messages_bulk_create(messages: list[Message]) -> list[Message]:
    """Write many messages (no keys) in the current transaction and queue the pending ones after commit."""
    created = Message.objects.bulk_create(messages)
    messages_queue([m.pk for m in created if m.status == Message.Status.PENDING])
    return created


def messages_queue(ids: list[Any], *, one_by_one: bool = False) -> None:
    """Queue the sending task of each message once the current transaction commits (at once outside one).

    More than `QUEUED_ONE_BY_ONE` are handed to the sweep as one task, unless
    `one_by_one` (the sweep itself, which must finally queue them one by one). A
    message whose queueing is lost (a broker down at that moment) is still
    pending in the table, and the sweep queues it again.
    """
    if not ids:
        return

    def send() -> None:
        if len(ids) > QUEUED_ONE_BY_ONE and not one_by_one:  # an outbreak's thousands: the committing worker queues one task
            current_app.send_task(SWEEP_TASK)
            return
        for message_id in ids:
            current_app.send_task(SEND_TASK, args=[str(message_id)])

    transaction.on_commit(send)
