"""Rollups: equal to a recount from the posts and predictions after several incremental updates,
re-runs, a category added by an admin, a rebuild, two workers at once, and the scoring step itself."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from classifier.models import ModelVersion, Prediction
from dashboard.models import HourlyCount
from dashboard.services.rollups import rollups_add, rollups_rebuild
from ingestion.models import Tweet
from ingestion.records import TweetRecord
from ingestion.services.downloads import store_context_build
from ingestion.services.posts import tweets_store
from tests.dashboard.builders import posts_create, recount, score, stored
from tests.factories import CategoryFactory, HourlyCountFactory, ModelVersionFactory, TermFactory

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def assert_recount(version: ModelVersion) -> None:
    hourly, terms = stored(version)
    expected_hourly, expected_terms = recount(version)
    assert hourly == expected_hourly
    assert terms == expected_terms


def records(count: int, *, start: int, text: str, at: datetime, location: str = "", tags: tuple[str, ...] = ()) -> list[TweetRecord]:
    return [
        TweetRecord(platform_id=f"r{start + i}", text=f"{text} {i}", created_at=at + timedelta(minutes=7 * i),
                    author_handle=f"user{i % 3}", author_location=location, hashtags=list(tags))
        for i in range(count)
    ]


def ingest(recs: list[TweetRecord]) -> list[Tweet]:
    """Store posts the way ingestion does: dictionary matching and state attribution included."""
    with transaction.atomic():
        tweets_store(records=recs, context=store_context_build(source=None, run=None))
    return list(Tweet.objects.filter(platform_id__in=[r.platform_id for r in recs]).order_by("pk"))


@pytest.mark.django_db
def test_incremental_updates_rerun_and_a_new_category_equal_a_recount(dictionary, version):
    first = ingest(records(30, start=0, text="pinche naco de mierda", at=T0, location="Guadalajara, Jalisco", tags=("#Naco", "MX")))
    score(first, version=version, discriminatory=12)
    assert_recount(version)

    second = ingest(
        records(25, start=100, text="esa vieja feminazi", at=T0 + timedelta(minutes=30), location="CDMX", tags=("#8M",))
        + records(10, start=200, text="hoy llueve en la ciudad", at=T0 + timedelta(hours=2))
    )
    score(second, version=version, discriminatory=20)
    assert_recount(version)
    before = stored(version)

    # The same batch again (a retried task): nothing inserted, nothing added.
    assert score(second, version=version, discriminatory=20) == []
    assert stored(version) == before
    # A batch mixing scored posts with new ones adds only the new ones.
    third = ingest(records(5, start=300, text="otro naco", at=T0 + timedelta(hours=1)))
    assert len(score(second[:5] + third, version=version, discriminatory=3)) == 5
    assert_recount(version)

    # An admin adds a category and its term; new posts match it and count in it.
    category = CategoryFactory(slug="gordofobia", name="Gordofobia")
    TermFactory(text="gordo asqueroso", categories=[category])
    fourth = ingest(records(8, start=400, text="qué gordo asqueroso naco", at=T0 + timedelta(minutes=45)))
    assert all(category in tweet.categories.all() for tweet in fourth)
    score(fourth, version=version, discriminatory=8)
    assert_recount(version)
    rows = HourlyCount.objects.filter(model_version=version, subject="", category_id=category.pk, state="*")
    assert sum(row.posts for row in rows) == 8

    # A rebuild of part of the range recounts it to the same rows.
    rollups_rebuild(model_version_id=version.pk, since=T0, until=T0 + timedelta(hours=1))
    assert_recount(version)


@pytest.mark.django_db
def test_counts_follow_the_model_version_and_undated_posts_are_left_out(version):
    other = ModelVersionFactory.create(task="discrimination", version=2, status=ModelVersion.Status.RETIRED)
    tweets = posts_create(6, at=T0, hashtags=["#a"])
    undated = posts_create(2, at=T0)
    Tweet.objects.filter(pk__in=[t.pk for t in undated]).update(created_at=None)
    score(tweets + undated, version=version, discriminatory=6)
    score(tweets, version=other, discriminatory=1)
    assert HourlyCount.objects.get(model_version=version, subject="", category_id=0, state="*").discriminatory == 6
    assert HourlyCount.objects.get(model_version=other, subject="", category_id=0, state="*").discriminatory == 1
    assert_recount(version)
    assert_recount(other)


@pytest.mark.django_db
def test_rebuild_command_recounts_from_raw_data(version):
    tweets = posts_create(40, at=T0, state="YUC", hashtags=["#x"], terms=[("naco", [])])
    score(tweets, version=version, discriminatory=9)
    HourlyCount.objects.filter(model_version=version).update(posts=999)  # drifted (e.g. posts deleted since)
    HourlyCountFactory.create(model_version=version, hour=T0 - timedelta(days=3), posts=5)
    out = StringIO()
    call_command("rollups_rebuild", "--no-progress", stdout=out, stderr=StringIO())
    assert "40 publicaciones calificadas" in out.getvalue()
    assert_recount(version)


@pytest.mark.django_db(transaction=True)
def test_two_workers_scoring_the_same_posts_at_once_count_each_post_once(version):
    tweets = posts_create(300, at=T0, state="SON", hashtags=["#dup"], terms=[("naco", [])])
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(chunk: list[Tweet]) -> None:
        try:
            barrier.wait()
            score(chunk, version=version, discriminatory=100)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    # Overlapping batches, in different orders: each post must be counted by exactly one of them.
    threads = [threading.Thread(target=worker, args=(tweets[:200],)),
               threading.Thread(target=worker, args=(list(reversed(tweets[100:])),))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Prediction.objects.filter(model_version=version).count() == 300
    assert HourlyCount.objects.get(model_version=version, subject="", category_id=0, state="*").posts == 300
    assert_recount(version)


@pytest.mark.django_db
def test_rollups_add_ignores_posts_the_version_has_not_scored(version):
    tweets = posts_create(3, at=T0)
    with transaction.atomic():
        assert rollups_add(model_version_id=version.pk, tweet_ids=[t.pk for t in tweets]) == 0
    assert not HourlyCount.objects.exists()


def test_the_scoring_steps_own_judgements_count_as_a_read_back_would(dictionary, version):
    """`rollups_add` with the judgements it is given (read by post id) equals a recount, dates, states, hashtags,
    terms, sources and undated posts included."""
    from classifier.services.predictions import predictions_insert
    from tests.factories import SourceFactory

    feed = SourceFactory.create(slug="rollups-judged")
    at = datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
    tweets = [*posts_create(6, at=at, state="JAL", hashtags=["#LigaMX", "fut"], source=feed,
                            terms=[("naco", ["apariencia"])]),
              *posts_create(4, at=at + timedelta(hours=3), terms=[("puto", ["orientacion"])])]
    undated = Tweet.objects.filter(pk=tweets[-1].pk)
    undated.update(created_at=None)
    rows = [Prediction(tweet_id=t.pk, model_version_id=version.pk, scores={}, discriminatory=i % 3 == 0)
            for i, t in enumerate(tweets)]
    with transaction.atomic():
        inserted = predictions_insert(rows)
        counted = rollups_add(model_version_id=version.pk, tweet_ids=inserted,
                              discriminatory={row.tweet_id: row.discriminatory for row in rows})
    assert counted == 9  # the undated post is not placed in an hour
    assert_recount(version)
