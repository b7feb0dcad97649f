"""The demo replay: each run feeds the next batch of the bundled corpus, starts over with new ids, and a backlog
spread over past days."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ingestion.models import SourceCursor, Tweet
from ingestion.services.demo import demo_backlog_load, demo_source_get_or_create
from ingestion.services.downloads import source_download
from ingestion.sources.replay import demo_corpus
from tests.factories import SourceCursorFactory


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
    SourceCursorFactory.create(source=demo_source, key="replay", position=size - 5)
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
