"""The whole chain through a real Celery worker: a scored batch moves a light, the worker tells the subscriber."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from alerts.models import Message, SeriesChange, Subscription
from alerts.services.evaluation import alerts_evaluate, changes_apply
from classifier.models import ModelVersion
from dashboard.selectors.semaforo import window_end
from tests.alerts.servers import HttpServer
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory, ModelVersionFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
WINDOW = timedelta(hours=48)


def test_a_batch_that_turns_a_category_red_reaches_its_webhook_through_the_worker(worker):
    version = ModelVersionFactory.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE)
    gender = CategoryFactory.create(slug="genero-cadena", name="Género (cadena)")
    end = window_end(timezone.now())
    for k in range(1, 15):  # four weeks of history at 4–6 %
        score(posts_create(100, at=end - k * WINDOW - timedelta(hours=24), categories=[gender]), version=version,
              discriminatory=4 if k % 2 else 6)
    with HttpServer() as server:
        watcher = Subscription.objects.create(watch="category", category=gender, channel="webhook",
                                              address=f"{server.url}/hook", quiet_minutes=0)
        changes_apply()  # its first look: grey, nothing to tell

        with transaction.atomic():  # as the scoring step stores a batch: predictions, counts, alerts
            score(posts_create(100, at=timezone.now() - timedelta(minutes=30), categories=[gender]), version=version,
                  discriminatory=30)
            alerts_evaluate(model_version_id=version.pk)

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not server.received:
            time.sleep(0.2)
        time.sleep(1.5)  # a duplicate would show up by now

    assert SeriesChange.objects.get(series=f"category:{gender.pk}", previous_level="grey").level == "red"
    assert len(server.received) == 1, worker()
    body = server.received[0].json()
    assert body["type"] == "enter" and body["data"]["level"] == "red"
    assert body["data"]["series"]["name"] == "Género (cadena)"
    assert Message.objects.get(subscription=watcher).status == Message.Status.SENT
