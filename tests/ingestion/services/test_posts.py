"""Storing posts on PostgreSQL: new posts copied straight in, posts stored meanwhile by another
writer caught by the unique constraint and stored the careful way, each post once."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingestion.models import Tweet, TweetCategory
from ingestion.records import TweetRecord
from ingestion.services.downloads import store_context_build
from ingestion.services.posts import tweets_insert, tweets_prepare, tweets_store

pytestmark = pytest.mark.django_db


def record(platform_id: str, text: str) -> TweetRecord:
    return TweetRecord(platform_id=platform_id, text=text, created_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                       author_location="Guadalajara, Jalisco")


def test_new_posts_are_stored_with_their_categories_and_returned_for_scoring(dictionary):
    context = store_context_build(source=None, run=None)
    result = tweets_store(records=[record("1", "qué naco"), record("2", "buenos días")], context=context)

    assert (result.new, result.duplicate) == (2, 0)
    stored = dict(Tweet.objects.values_list("platform_id", "pk"))
    assert sorted(result.stored) == sorted([(stored["1"], "qué naco"), (stored["2"], "buenos días")])
    naco = Tweet.objects.get(platform_id="1")
    assert naco.state == "JAL" and naco.matches[0]["term"] == "naco"
    link = TweetCategory.objects.get(tweet=naco)
    assert (link.category.slug, link.created_at, link.state) == ("apariencia", naco.created_at, "JAL")


def test_posts_stored_by_another_writer_meanwhile_are_kept_once(dictionary):
    """The race: a batch is prepared (its posts were not stored), then another importer stores
    two of them before this batch is inserted. The copy fails on the unique constraint and
    the batch is stored the careful way: only its really new posts, with their categories."""
    context = store_context_build(source=None, run=None)
    batch = [record("10", "qué naco"), record("11", "otro naco"), record("12", "sin términos")]
    prepared = tweets_prepare(records=batch, context=context)
    tweets_store(records=[record("11", "otro naco"), record("12", "sin términos")], context=context)

    result = tweets_insert(batch=prepared)

    assert (result.new, result.duplicate) == (1, 2)
    assert [text for _, text in result.stored] == ["qué naco"]
    assert Tweet.objects.filter(platform_id__in=["10", "11", "12"]).count() == 3
    assert TweetCategory.objects.filter(category__slug="apariencia").count() == 2  # 10 and 11, once each
    # The transaction is still usable after the failed copy: the next batch goes straight in.
    assert tweets_store(records=[record("13", "naco de nuevo")], context=context).new == 1


def test_a_batch_whose_ids_partly_exist_stores_only_the_new_ones(dictionary):
    context = store_context_build(source=None, run=None)
    tweets_store(records=[record("20", "uno"), record("21", "dos naco")], context=context)

    result = tweets_store(
        records=[record("21", "dos naco, otra vez"), record("22", "tres naco"), record("22", "tres repetido"), record("20", "uno")],
        context=context,
    )

    assert (result.new, result.duplicate) == (1, 3)
    assert Tweet.objects.get(platform_id="21").text == "dos naco"  # the first stored stays
    assert Tweet.objects.get(platform_id="22").text == "tres naco"
    assert TweetCategory.objects.filter(tweet__platform_id__in=["21", "22"]).count() == 2


def test_a_batch_copied_without_looking_its_ids_up_still_stores_each_post_once(dictionary):
    """A first import copies batches without looking their ids up; a file that repeats
    earlier posts then fails the copy and is stored the careful way."""
    context = store_context_build(source=None, run=None)
    tweets_store(records=[record("30", "uno naco")], context=context)

    prepared = tweets_prepare(records=[record("30", "uno naco"), record("31", "dos naco")], context=context, look_up=False)
    assert len(prepared.rows) == 2  # not looked up
    result = tweets_insert(batch=prepared)

    assert (result.new, result.duplicate) == (1, 1)
    assert Tweet.objects.filter(platform_id__in=["30", "31"]).count() == 2
    assert TweetCategory.objects.filter(tweet__platform_id__in=["30", "31"]).count() == 2
