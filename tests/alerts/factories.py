"""factory_boy factories of the alerts app: subscriptions and outbox messages with the documented payloads."""
from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from alerts.models import DeliveryAttempt, Message, Subscription

SERIES = {"key": "category:3", "watch": "category", "name": "Género",
          "url": "http://127.0.0.1:8000/?categoria=genero"}


def enter_payload(**changes: Any) -> dict[str, Any]:
    """An `enter` payload as the evaluation writes it (services/messages.py): red, 3.1 times the usual rate."""
    return {
        "series": SERIES, "level": "red", "level_label": "Rojo", "previous_level": "green", "trigger": "red",
        "sentence": "Rojo: 3.1 veces la tasa habitual de las últimas 4 semanas.",
        "rate": 0.124, "usual_rate": 0.04, "posts": 340, "discriminatory": 42, "yellow_at": 0.061, "red_at": 0.082,
        "window_start": "2026-12-01T18:00:00+00:00", "window_end": "2026-12-03T18:00:00+00:00", "window_hours": 48,
        "model_version": 3, "at": "2026-12-03T17:12:09+00:00", **changes,
    }


def leave_payload(**changes: Any) -> dict[str, Any]:
    return enter_payload(level="green", level_label="Verde", previous_level="red", rate=0.041, posts=310,
                         discriminatory=13, sentence="Verde: la tasa está en su nivel habitual.", **changes)


def digest_payload() -> dict[str, Any]:
    return {
        "date": "2026-12-03", "series": SERIES,
        "items": [enter_payload(at="2026-12-03T09:00:00+00:00"), leave_payload(at="2026-12-03T21:30:00+00:00")],
        "current": {"level": "green", "level_label": "Verde", "sentence": "Verde: la tasa está en su nivel habitual.",
                    "rate": 0.041, "usual_rate": 0.04},
    }


def bulletin_payload(pdf_name: str = "") -> dict[str, Any]:
    return {"bulletin": {
        "slug": "2026-11", "title": "Boletín de noviembre de 2026", "period_start": "2026-11-01T06:00:00+00:00",
        "period_end": "2026-12-01T06:00:00+00:00", "url": "http://127.0.0.1:8000/boletines/2026-11/",
        "pdf_url": "http://127.0.0.1:8000/boletines/2026-11.pdf", "pdf_name": pdf_name,
    }}


class SubscriptionFactory(factory.django.DjangoModelFactory[Subscription]):
    """An e-mail subscription to every post; name the channel and address a test is about."""

    class Meta:
        model = Subscription

    name = factory.Sequence(lambda n: f"Observatorio {n}")
    watch = Subscription.Watch.ALL
    trigger = Subscription.Trigger.RED
    channel = Subscription.Channel.EMAIL
    address = factory.Sequence(lambda n: f"observatorio{n}@example.org")
    quiet_minutes = 0


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    """A pending `enter` message, due now, not queued (tests call the sender themselves)."""

    class Meta:
        model = Message

    subscription = factory.SubFactory(SubscriptionFactory)
    kind = Message.Kind.ENTER
    status = Message.Status.PENDING
    payload = factory.LazyFunction(enter_payload)
    next_attempt_at = factory.LazyFunction(timezone.now)


class DeliveryAttemptFactory(factory.django.DjangoModelFactory[DeliveryAttempt]):
    class Meta:
        model = DeliveryAttempt

    message = factory.SubFactory(MessageFactory)
    started_at = factory.LazyFunction(timezone.now)
    ok = False
    status_code = 500
    answer = "Internal Server Error"
