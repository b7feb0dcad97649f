"""The sources a page can be filtered by, and the hashtag lists, which never show a source's subject."""
from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.selectors.counts import SourceNotCounted, Subject, source_for
from dashboard.selectors.semaforo import phrases_top, states_get, window_end
from dashboard.selectors.sources import sources_counted
from dashboard.services.rollups import source_subject
from ingestion.models import Source
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sources(version) -> tuple[Source, Source]:
    """Mastodon (switched off since) with 6 posts tagged #8M in Jalisco by @ana, Bluesky with 4 in Yucatán by @ana;
    an X source with no posts."""
    at, genero = window_end() - timedelta(hours=2), CategoryFactory.create(slug="genero-x")
    mastodon = SourceFactory.create(slug="mastodon-x", name="Mastodon", kind=Source.Kind.MASTODON, enabled=False)
    bluesky = SourceFactory.create(slug="bluesky-x", name="Bluesky", kind=Source.Kind.BLUESKY)
    SourceFactory.create(slug="x-sin-posts", name="API de X", kind=Source.Kind.X_API)
    score(posts_create(6, at=at, source=mastodon, categories=[genero], state="JAL", hashtags=["#8M"], handle="ana"),
          version=version, discriminatory=3)
    score(posts_create(4, at=at, source=bluesky, categories=[genero], state="YUC", hashtags=["#8M"], handle="ana"),
          version=version, discriminatory=1)
    return mastodon, bluesky


def test_the_filter_offers_the_sources_with_counted_posts_by_name(version, two_sources):
    assert [source.slug for source in sources_counted(model_version_id=version.pk)] == ["bluesky-x", "mastodon-x"]


def test_no_hashtag_list_shows_a_source(version, two_sources):
    mastodon, bluesky = two_sources
    assert [(p.text, p.posts) for p in phrases_top(kind="hashtag", min_posts=1)] == [("8m", 10)]
    assert [(p.text, p.posts) for p in phrases_top(kind="hashtag", category="genero-x")] == [("8m", 10)]
    # A user's hashtags are tallied on the fly from the same counts: no source there either.
    assert [(p.text, p.posts) for p in phrases_top(kind="hashtag", subject=Subject("user", "ana"))] == [("8m", 10)]
    assert [(p.text, p.posts) for p in phrases_top(kind="hashtag", subject=Subject("user", "ana", bluesky.pk))] == [
        ("8m", 4)]
    # Typed in the search, a source's subject is no hashtag.
    assert Subject.parse(source_subject(mastodon.pk)) == Subject()
    assert Subject.parse("#" + source_subject(mastodon.pk)) == Subject()


def test_a_source_has_its_own_map_per_category(version, two_sources):
    mastodon, bluesky = two_sources
    counted = {light.slug: light.posts for light in states_get(category="genero-x", subject=Subject(source_id=bluesky.pk))
               if light.posts}
    assert counted == {"YUC": 4}
    counted = {light.slug: light.posts for light in states_get(subject=Subject(source_id=mastodon.pk)) if light.posts}
    assert counted == {"JAL": 6}


def test_a_hashtag_of_one_source_is_refused_rather_than_counted_for_every_source(version):
    with pytest.raises(SourceNotCounted):
        source_for(Subject("hashtag", "8m", source_id=1), model_version_id=version.pk)
