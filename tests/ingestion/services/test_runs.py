"""Runs: never two at once per source, and dead ones recovered."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ingestion.models import IngestionRun
from ingestion.services.runs import ingestion_run_finish, ingestion_run_start
from tests.factories import SourceFactory


@pytest.mark.django_db
def test_a_second_run_of_the_same_source_does_not_start():
    source = SourceFactory()
    first = ingestion_run_start(source=source)
    assert first is not None
    assert ingestion_run_start(source=source) is None
    assert ingestion_run_start(source=SourceFactory()) is not None  # other sources are free
    ingestion_run_finish(run=first)
    assert ingestion_run_start(source=source) is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_let_exactly_one_through():
    source = SourceFactory()
    barrier = threading.Barrier(8)
    results: list[object] = []

    def start() -> None:
        barrier.wait()
        try:
            results.append(ingestion_run_start(source=source))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r is not None for r in results) == 1
    assert IngestionRun.objects.filter(source=source, status="running").count() == 1


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_abandoned_after_its_lease(settings):
    source = SourceFactory()
    dead = ingestion_run_start(source=source)
    IngestionRun.objects.filter(pk=dead.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.INGESTION["RUN_LEASE_SECONDS"] + 1)
    )
    fresh = ingestion_run_start(source=source)
    assert fresh is not None
    dead.refresh_from_db()
    assert dead.status == IngestionRun.Status.ABANDONED
    assert "sin terminar" in dead.message
