"""Runs: never two at once per source, dead ones recovered, the demo replay's cursor."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ingestion.models import IngestionRun, Source, SourceCursor, Tweet
from ingestion.services.demo import demo_backlog_load, demo_source_get_or_create
from ingestion.services.downloads import source_download
from ingestion.services.imports import source_file_get
from ingestion.services.runs import ingestion_run_finish, ingestion_run_start
from ingestion.sources.replay import demo_corpus
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


@pytest.fixture
def demo_source(db, archive_dir):
    source, _ = demo_source_get_or_create()
    return source


@pytest.mark.django_db
def test_demo_replay_feeds_the_next_batch_each_run(demo_source, dictionary):
    corpus = demo_corpus()
    assert len(corpus) >= 300

    first = source_download(source_id=demo_source.pk).run
    second = source_download(source_id=demo_source.pk).run
    assert (first.new, second.new) == (25, 25)
    ids = list(Tweet.objects.order_by("platform_id").values_list("platform_id", flat=True))
    assert ids == [item["id"] for item in corpus[:50]]
    assert SourceCursor.objects.get(source=demo_source).position == 50
    newest = Tweet.objects.order_by("-created_at").first()
    assert timezone.now() - newest.created_at < timedelta(minutes=16)
    assert Tweet.objects.exclude(matches=[]).exists()
    assert Tweet.objects.exclude(state="").exists()


@pytest.mark.django_db
def test_demo_replay_starts_over_with_new_ids_when_the_corpus_ends(demo_source):
    size = len(demo_corpus())
    SourceCursor.objects.create(source=demo_source, key="replay", position=size - 5)
    run = source_download(source_id=demo_source.pk).run
    assert run.new == 25
    assert Tweet.objects.filter(platform_id__endswith="-r1").count() == 20


@pytest.mark.django_db
def test_demo_backlog_is_spread_over_past_days(demo_source):
    run = demo_backlog_load(source=demo_source, count=120, spread=timedelta(days=14))
    assert run.new == 120
    dates = Tweet.objects.values_list("created_at", flat=True)
    assert max(dates) - min(dates) > timedelta(days=7)
    assert SourceCursor.objects.get(source=demo_source).position == 120


@pytest.mark.django_db
def test_disabled_and_file_sources_are_not_scheduled():
    from ingestion.selectors.sources import sources_enabled

    enabled = SourceFactory(slug="on")
    SourceFactory(slug="off", enabled=False)
    source_file_get()
    assert list(sources_enabled()) == [enabled]
    assert Source.objects.count() == 3
