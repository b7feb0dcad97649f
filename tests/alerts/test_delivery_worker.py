"""A real Celery worker on the test's Redis sends a webhook that fails once: the task's own retry delivers it, once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from alerts.models import DeliveryAttempt, Message, Subscription
from alerts.services.messages import message_create
from tests.alerts.factories import SubscriptionFactory, enter_payload
from tests.alerts.servers import HttpServer, Reply

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    """A worker process started as the platform starts one, sharing the test's database and broker."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.test", "PYTHONUNBUFFERED": "1",
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "ALERTS_BACKOFF_SECONDS": "1", "ALERTS_TIMEOUT_SECONDS": "3",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "discriminamometro", "worker", "--pool=solo", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    yield lambda: log_path.read_text(errors="replace")[-4000:]
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


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
