"""The demo replay: each run feeds the next batch of the bundled corpus, starts over with new ids, and a backlog
spread over past days; or a planned backlog (dates and states as planned) followed by the mix `load_demo` sets."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from ingestion.models import SourceCursor, Tweet
from ingestion.services.demo import demo_backlog_load, demo_mix_set, demo_source_get_or_create
from ingestion.services.downloads import source_download
from ingestion.sources.replay import PlannedPost, demo_corpus
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


@pytest.mark.django_db
def test_a_planned_backlog_keeps_each_post_s_date_and_state(demo_source):
    corpus = demo_corpus()
    located = next(i for i, item in enumerate(corpus) if item["author"].get("location") == "CDMX")
    now = timezone.now().replace(microsecond=0)
    planned = [
        PlannedPost(corpus_index=located, created_at=now - timedelta(days=30), state="JAL"),
        PlannedPost(corpus_index=located, created_at=now - timedelta(days=2), state=""),
        PlannedPost(corpus_index=located, created_at=now - timedelta(hours=1)),
    ]
    run = demo_backlog_load(source=demo_source, planned=planned)
    assert run.new == 3
    posts = list(Tweet.objects.order_by("created_at").values_list("platform_id", "created_at", "state"))
    item_id = corpus[located]["id"]
    assert posts == [
        (f"{item_id}-p0", now - timedelta(days=30), "JAL"),  # geotagged in the planned state
        (f"{item_id}-p1", now - timedelta(days=2), ""),  # the author's profile location left out
        (f"{item_id}-p2", now - timedelta(hours=1), "CMX"),  # the author's own
    ]


@pytest.mark.django_db
def test_after_the_backlog_the_replay_serves_the_mix_in_turn(demo_source):
    corpus = demo_corpus()
    demo_backlog_load(source=demo_source, planned=[PlannedPost(corpus_index=0, created_at=timezone.now())])
    demo_mix_set(source=demo_source, mix=[(corpus[3]["id"], "NLE"), (corpus[5]["id"], ""), ("gone-from-corpus", "PUE")])
    demo_source.refresh_from_db()
    assert demo_source.config["batch_size"] == 25

    run = source_download(source_id=demo_source.pk).run
    assert run.new == 25
    served = list(Tweet.objects.exclude(platform_id=f"{corpus[0]['id']}-p0").order_by("created_at", "platform_id")
                  .values_list("platform_id", "state"))
    assert {state for _, state in served} == {"NLE", ""}
    assert Counter(platform_id.rsplit("-p", 1)[0] for platform_id, _ in served) == {
        corpus[3]["id"]: 12, corpus[5]["id"]: 13,  # positions 1…25 of a mix of two: 2, 4, … and 1, 3, …
    }
    assert SourceCursor.objects.get(source=demo_source).position == 26
    newest = Tweet.objects.order_by("-created_at").first()
    assert timezone.now() - newest.created_at < timedelta(minutes=16)
