"""Webhooks to a local HTTP server: the signature a receiver checks, the documented body, retries and dead endpoints."""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from alerts.models import DeliveryAttempt, Message, Subscription
from alerts.services.deliveries import message_deliver
from tests.alerts.factories import MessageFactory, SubscriptionFactory
from tests.alerts.servers import HttpServer, Received, Reply, closed_port_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast(settings):
    """Short timeouts and backoff, so a test waits seconds rather than minutes."""
    settings.ALERTS = {**settings.ALERTS, "TIMEOUT_SECONDS": 1, "BACKOFF_SECONDS": 1, "MAX_ATTEMPTS": 3}


def hook(url: str, **fields) -> Subscription:
    return SubscriptionFactory.create(channel=Subscription.Channel.WEBHOOK, address=f"{url}/hook", **fields)


def verified(request: Received, secret: str) -> bool:
    """What a receiver does: HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret, compared in constant time."""
    timestamp = request.headers["X-Discriminamometro-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers["X-Discriminamometro-Signature"], f"sha256={expected}")


def test_a_webhook_is_signed_with_the_subscriptions_secret_and_carries_the_documented_body(fast):
    with HttpServer() as server:
        subscription = hook(server.url, name="Red de monitoreo")
        message = MessageFactory.create(subscription=subscription)

        assert message_deliver(message_id=message.pk).status == "sent"

    [request] = server.received
    assert request.path == "/hook"
    assert verified(request, subscription.secret)
    assert not verified(request, "otro-secreto")
    assert abs(int(request.headers["X-Discriminamometro-Timestamp"]) - time.time()) < 30
    assert request.headers["X-Discriminamometro-Delivery"] == str(message.pk)
    assert request.headers["User-Agent"] == "Discriminamometro-Alerts/1"
    assert request.headers["Content-Type"] == "application/json"
    body = request.json()
    assert body["id"] == str(message.pk) and body["type"] == "enter"
    assert body["created_at"] == message.created_at.isoformat()
    assert body["subscription"] == {"id": subscription.pk, "name": "Red de monitoreo", "series": "all"}
    data = body["data"]
    assert data["level"] == "red" and data["sentence"] == "Rojo: 3.1 veces la tasa habitual de las últimas 4 semanas."
    assert data["rate"] == 0.124 and data["usual_rate"] == 0.04
    assert data["series"]["url"] == "http://127.0.0.1:8000/?categoria=genero"
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.ok and attempt.status_code == 200 and attempt.answer == '{"received":true}'


def test_a_webhook_answering_500_then_200_is_retried_and_received_once(fast):
    with HttpServer(Reply(500, b"Internal Server Error"), Reply(200)) as server:
        message = MessageFactory.create(subscription=hook(server.url))

        first = message_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert first.status == "retry" and 1 <= (first.retry_in or 0) <= 1.1
        assert message.status == Message.Status.PENDING and message.attempts == 1
        assert message.last_error == "500: Internal Server Error"
        assert timedelta(seconds=0.9) < message.next_attempt_at - timezone.now() < timedelta(seconds=1.2)

        time.sleep(first.retry_in or 0)
        assert message_deliver(message_id=message.pk).status == "sent"
        assert message_deliver(message_id=message.pk).status == "skipped"  # a late duplicate task sends nothing

    assert [r.answered for r in server.received] == [500, 200]
    assert len({r.headers["X-Discriminamometro-Delivery"] for r in server.received}) == 1
    attempts = DeliveryAttempt.objects.filter(message=message).order_by("started_at")
    assert [(a.ok, a.status_code) for a in attempts] == [(False, 500), (True, 200)]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2 and message.last_error == ""


def test_a_retry_is_not_sent_before_its_time(settings):
    settings.ALERTS = {**settings.ALERTS, "BACKOFF_SECONDS": 60}
    with HttpServer(Reply(503, b"busy")) as server:
        message = MessageFactory.create(subscription=hook(server.url))
        assert message_deliver(message_id=message.pk).status == "retry"
        assert message_deliver(message_id=message.pk).status == "skipped"
    assert len(server.received) == 1


def test_a_gone_webhook_fails_at_once_without_retries(fast):
    with HttpServer(Reply(410, b"Gone")) as server:
        message = MessageFactory.create(subscription=hook(server.url))

        outcome = message_deliver(message_id=message.pk)

    assert outcome.status == "failed" and len(server.received) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 1 and message.last_error == "410: Gone"


@pytest.mark.parametrize("status", [408, 429])
def test_timeouts_and_rate_limits_are_tried_again(fast, status):
    with HttpServer(Reply(status, b"later", headers={"Retry-After": "7"})) as server:
        message = MessageFactory.create(subscription=hook(server.url))
        outcome = message_deliver(message_id=message.pk)
    assert outcome.status == "retry"
    if status == 429:  # the endpoint's own Retry-After wins over the backoff
        assert 7 <= (outcome.retry_in or 0) <= 8


def test_after_the_last_attempt_the_message_fails(fast):
    with HttpServer(Reply(502, b"Bad Gateway")) as server:
        message = MessageFactory.create(subscription=hook(server.url))
        outcomes = []
        for _ in range(3):
            outcomes.append(message_deliver(message_id=message.pk).status)
            Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())  # skip the wait
    assert outcomes == ["retry", "retry", "failed"] and len(server.received) == 3
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 3
    assert DeliveryAttempt.objects.filter(message=message, ok=False).count() == 3


def test_a_redirect_is_not_followed(fast):
    with HttpServer(Reply(301, b"", headers={"Location": "http://example.org/elsewhere"})) as server:
        message = MessageFactory.create(subscription=hook(server.url))
        assert message_deliver(message_id=message.pk).status == "retry"
    message.refresh_from_db()
    assert len(server.received) == 1 and "http://example.org/elsewhere" in message.last_error


def test_a_paused_subscriptions_message_is_not_sent(fast):
    with HttpServer() as server:
        message = MessageFactory.create(subscription=hook(server.url, active=False))
        assert message_deliver(message_id=message.pk).status == "failed"
    assert server.received == []
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "pausada" in message.last_error
    assert not DeliveryAttempt.objects.filter(message=message).exists()


def test_a_deleted_subscriptions_message_is_not_sent(fast):
    with HttpServer() as server:
        message = MessageFactory.create(subscription=hook(server.url))
        message.subscription.delete()
        assert message_deliver(message_id=message.pk).status == "skipped"
    assert server.received == []


# --- Dead endpoints and concurrency (real threads, real connections: committed rows) -------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("dead", ["closed port", "sleeps past the timeout"])
def test_a_dead_endpoint_fails_its_message_while_another_is_delivered(fast, dead):
    with HttpServer(Reply(delay=3)) as sleeper, HttpServer() as alive:
        dead_url = closed_port_url().removesuffix("/hook") if dead == "closed port" else sleeper.url
        stuck = MessageFactory.create(subscription=hook(dead_url))
        other = MessageFactory.create(subscription=hook(alive.url))
        outcomes: dict[str, tuple[str, float]] = {}
        start = time.monotonic()

        def deliver(name: str, message: Message) -> None:
            try:
                outcomes[name] = (message_deliver(message_id=message.pk).status, time.monotonic() - start)
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver, args=(name, message))
                   for name, message in (("stuck", stuck), ("other", other))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert outcomes["other"][0] == "sent" and len(alive.received) == 1
    assert outcomes["other"][1] < 1.0  # it did not wait for the dead one
    assert outcomes["stuck"][0] == "retry" and outcomes["stuck"][1] < 2.5  # the timeout bounds the wait
    stuck.refresh_from_db()
    assert stuck.status == Message.Status.PENDING
    assert ("ConnectionError" if dead == "closed port" else "ReadTimeout") in stuck.last_error


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_one_message_at_once_send_it_once(fast):
    with HttpServer(Reply(delay=0.5)) as server:
        message = MessageFactory.create(subscription=hook(server.url))
        barrier, outcomes = threading.Barrier(2), []

        def deliver() -> None:
            barrier.wait()
            try:
                outcomes.append(message_deliver(message_id=message.pk).status)
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(server.received) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1
