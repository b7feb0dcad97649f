"""The outbox's bookkeeping: the sweep for lost tasks, expired claims, and the admin where every attempt is seen."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from alerts.models import Message, Subscription
from alerts.services.deliveries import message_deliver, messages_due_send
from tests.alerts.factories import DeliveryAttemptFactory, MessageFactory, SubscriptionFactory
from tests.alerts.servers import HttpServer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker():
    """The test's Redis broker, empty before and after; `queued()` lists the (task, args) waiting in it."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()

    def queued() -> list[tuple[str, list]]:
        tasks = []
        for raw in client.lrange("celery", 0, -1):
            envelope = json.loads(raw)
            args = json.loads(base64.b64decode(envelope["body"]))[0]
            tasks.append((envelope["headers"]["task"], args))
        return tasks

    yield queued
    client.flushdb()


def test_the_sweep_queues_due_messages_and_abandoned_claims_only(broker, django_capture_on_commit_callbacks):
    now = timezone.now()
    due = MessageFactory.create(next_attempt_at=now)  # never tried: queued at once (an outbreak's sweep)
    retry_lost = MessageFactory.create(attempts=2, next_attempt_at=now - timedelta(minutes=5))
    abandoned = MessageFactory.create(status=Message.Status.SENDING, attempts=1, claimed_until=now - timedelta(seconds=1))
    MessageFactory.create(next_attempt_at=now + timedelta(minutes=1))  # not due yet
    MessageFactory.create(attempts=1, next_attempt_at=now - timedelta(seconds=10))  # its task's retry is on its way
    MessageFactory.create(status=Message.Status.SENDING, attempts=1, claimed_until=now + timedelta(minutes=1))
    for status in (Message.Status.SENT, Message.Status.FAILED, Message.Status.HELD, Message.Status.DIGESTED):
        MessageFactory.create(status=status, next_attempt_at=now - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert messages_due_send(now=now) == 3

    assert sorted(broker()) == sorted(("alerts.tasks.message_send", [str(m.pk)]) for m in (due, retry_lost, abandoned))


def test_a_claim_whose_worker_died_is_taken_again_and_a_live_one_is_not(settings):
    settings.ALERTS = {**settings.ALERTS, "TIMEOUT_SECONDS": 2}
    with HttpServer() as server:
        now = timezone.now()
        subscription = SubscriptionFactory.create(channel=Subscription.Channel.WEBHOOK, address=f"{server.url}/hook")
        live = MessageFactory.create(subscription=subscription, status=Message.Status.SENDING, attempts=1,
                                     claimed_until=now + timedelta(minutes=1))
        dead = MessageFactory.create(subscription=subscription, status=Message.Status.SENDING, attempts=1,
                                     claimed_until=now - timedelta(seconds=1))

        assert message_deliver(message_id=live.pk).status == "skipped"
        assert message_deliver(message_id=dead.pk).status == "sent"

    assert [r.headers["X-Discriminamometro-Delivery"] for r in server.received] == [str(dead.pk)]
    dead.refresh_from_db()
    assert dead.attempts == 2 and dead.claimed_until is None  # the lost try counts


def test_a_message_whose_sending_keeps_killing_its_worker_runs_out_of_tries(settings):
    settings.ALERTS = {**settings.ALERTS, "MAX_ATTEMPTS": 3}
    message = MessageFactory.create(status=Message.Status.SENDING, attempts=3,
                                    claimed_until=timezone.now() - timedelta(seconds=1))

    assert message_deliver(message_id=message.pk).status == "failed"

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "intentos" in message.last_error


# --- Admin ---------------------------------------------------------------------------------------------------------

def test_a_messages_admin_page_shows_every_attempt_and_its_answer(admin_client):
    message = MessageFactory.create(status=Message.Status.FAILED, attempts=2, last_error="503: Service Unavailable")
    DeliveryAttemptFactory.create(message=message, status_code=500, answer="Internal Server Error")
    DeliveryAttemptFactory.create(message=message, status_code=503, answer="Service Unavailable: mantenimiento")

    page = admin_client.get(f"/admin/alerts/message/{message.pk}/change/").content.decode()

    assert "Internal Server Error" in page and "Service Unavailable: mantenimiento" in page
    assert ">500<" in page and ">503<" in page
    listing = admin_client.get("/admin/alerts/message/?status__exact=failed").content.decode()
    assert "Fallido" in listing and "Reintentar ahora" in listing


def test_retry_now_gives_a_failed_message_a_new_round_and_queues_it(admin_client, broker,
                                                                    django_capture_on_commit_callbacks):
    failed = MessageFactory.create(status=Message.Status.FAILED, attempts=6, next_attempt_at=None)
    sent = MessageFactory.create(status=Message.Status.SENT, attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/alerts/message/", {
            "action": "retry_now", "_selected_action": [str(failed.pk), str(sent.pk)]}, follow=True)

    page = response.content.decode()
    assert "Se reintenta 1 mensaje." in page and "1 mensaje no estaba fallido" in page
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == Message.Status.PENDING and failed.attempts == 0 and failed.next_attempt_at is not None
    assert sent.status == Message.Status.SENT
    assert broker() == [("alerts.tasks.message_send", [str(failed.pk)])]


def test_the_subscription_admin_sends_a_test_message_and_keeps_the_secret_read_only(
        admin_client, broker, django_capture_on_commit_callbacks):
    owner = UserFactory.create(username="socialtic")
    subscription = SubscriptionFactory.create(owner=owner, channel=Subscription.Channel.WEBHOOK,
                                              address="https://ong.example.org/hook")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/alerts/subscription/", {
            "action": "test_send", "_selected_action": [str(subscription.pk)]}, follow=True)

    assert "Se envía un mensaje de prueba." in response.content.decode()
    test = Message.objects.get(subscription=subscription)
    assert test.kind == Message.Kind.TEST and test.status == Message.Status.PENDING
    assert "Todas las publicaciones" in test.payload["text"]
    assert broker() == [("alerts.tasks.message_send", [str(test.pk)])]
    found = admin_client.get("/admin/alerts/subscription/?q=socialtic").content.decode()
    assert "https://ong.example.org/hook" in found
    change = admin_client.get(f"/admin/alerts/subscription/{subscription.pk}/change/").content.decode()
    assert subscription.secret in change and 'name="secret"' not in change
