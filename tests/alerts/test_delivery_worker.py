"""A real Celery worker on the test's Redis sends a webhook that fails once: the task's own retry delivers it, once."""
from __future__ import annotations

import time

import pytest
from django.db import transaction

from alerts.models import DeliveryAttempt, Message, Subscription
from alerts.services.messages import message_create
from tests.alerts.factories import SubscriptionFactory, enter_payload
from tests.alerts.servers import HttpServer, Reply

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_retries_a_500_and_delivers_the_webhook_once(worker):
    with HttpServer(Reply(500, b"Internal Server Error"), Reply(200)) as server:
        subscription = SubscriptionFactory.create(channel=Subscription.Channel.WEBHOOK, address=f"{server.url}/hook")
        with transaction.atomic():  # as the evaluation does: queued when the state change commits
            message = message_create(subscription=subscription, kind=Message.Kind.ENTER, payload=enter_payload())

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Message.objects.get(pk=message.pk).status != Message.Status.SENT:
            time.sleep(0.2)
        time.sleep(2)  # long enough for a second retry or a duplicate to show up, were there one

    message.refresh_from_db()
    assert message.status == Message.Status.SENT, worker()
    assert [r.answered for r in server.received] == [500, 200]
    assert [(a.ok, a.status_code) for a in DeliveryAttempt.objects.filter(message=message).order_by("started_at")] \
        == [(False, 500), (True, 200)]
    assert message.attempts == 2
    assert "Retry in" in worker()  # the task's own retry brought it back, not the sweep
