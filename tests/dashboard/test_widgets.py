"""Trends with their threshold lines, and what is being said (top terms and hashtags), for all posts and a search."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from dashboard.levels import Counts, Level, Rule, judge
from dashboard.selectors.counts import PhraseCount, Subject
from dashboard.selectors.semaforo import phrases_top, trend_get, window_end
from ingestion.models import Category
from tests.dashboard.builders import NOW, posts_create, score
from tests.factories import CategoryFactory


def local(day_offset: int, hour: int) -> datetime:
    """A Mexico City time `day_offset` days from NOW's local day."""
    day = timezone.localdate(NOW) + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.mark.django_db
def test_daily_trend_with_thresholds_from_the_days_before_each_point(version):
    category = CategoryFactory(slug="racismo", name="Racismo")
    rule = Rule()
    daily = []
    for offset in range(-39, 1):
        disc = 20 if offset == 0 else (4 if offset % 2 else 8)
        score(posts_create(40, at=local(offset, 5), categories=[category], state="OAX"), version=version, discriminatory=disc)
        daily.append(Counts(40, disc))
    trend = trend_get(category="racismo", granularity="day", periods=10, now=NOW)
    assert (trend.slug, trend.name, trend.granularity, trend.model_version) == ("racismo", "Racismo", "day", 1)
    assert len(trend.points) == 10
    assert [p.start for p in trend.points] == [local(offset, 0) for offset in range(-9, 1)]
    last = trend.points[-1]
    assert (last.posts, last.rate, last.level) == (40, 0.5, Level.RED)
    expected = judge(daily[-1], daily[-29:-1], rule=rule)
    assert (last.yellow_at, last.red_at) == (pytest.approx(expected.yellow_at), pytest.approx(expected.red_at))
    assert all(p.level in (Level.GREEN, Level.YELLOW) for p in trend.points[:-1])
    assert trend_get(category="racismo", granularity="day", periods=10, state="OAX", now=NOW).points[-1].posts == 40
    assert trend_get(category="racismo", granularity="day", periods=10, state="YUC", now=NOW).points[-1].posts == 0
    overall = trend_get(granularity="day", periods=5, now=NOW)
    assert overall.slug == "" and overall.points[-1].posts == 40


@pytest.mark.django_db
def test_hourly_trend_ends_with_the_current_hour(version):
    score(posts_create(3, at=NOW - timedelta(hours=2)), version=version, discriminatory=1)
    trend = trend_get(granularity="hour", periods=24, now=NOW)
    assert len(trend.points) == 24
    assert trend.points[-1].end == window_end(NOW)
    assert [p.posts for p in trend.points[-3:]] == [3, 0, 0]
    assert trend.points[-3].level == Level.GREY  # 3 posts are too few to judge


@pytest.mark.django_db
def test_unknown_category_is_an_error(version):
    with pytest.raises(Category.DoesNotExist):
        trend_get(category="no-existe", now=NOW)


@pytest.mark.django_db
def test_top_terms_and_hashtags_in_the_window(version):
    women = CategoryFactory(slug="mujeres")
    looks = CategoryFactory(slug="apariencia")
    recent = NOW - timedelta(hours=5)
    score(posts_create(6, at=recent, categories=[women], hashtags=["#8M", "#Marcha"],
                       terms=[("feminazi", ["mujeres"])], handle="ana"), version=version, discriminatory=4)
    score(posts_create(4, at=recent, categories=[women, looks], hashtags=["#marcha"],
                       terms=[("feminazi", ["mujeres"]), ("gorda", ["mujeres", "apariencia"])], handle="ana"),
          version=version, discriminatory=4)
    score(posts_create(50, at=NOW - timedelta(days=5), categories=[looks], hashtags=["#viejo"],
                       terms=[("naco", ["apariencia"])]), version=version, discriminatory=0)  # outside the window

    assert phrases_top(kind="term", now=NOW) == [PhraseCount("feminazi", 10, 8), PhraseCount("gorda", 4, 4)]
    assert phrases_top(kind="term", category="apariencia", now=NOW) == [PhraseCount("gorda", 4, 4)]
    assert phrases_top(kind="hashtag", now=NOW) == [PhraseCount("marcha", 10, 8), PhraseCount("8m", 6, 4)]
    assert phrases_top(kind="hashtag", category="apariencia", now=NOW) == [PhraseCount("marcha", 4, 4)]
    assert phrases_top(kind="hashtag", limit=1, now=NOW) == [PhraseCount("marcha", 10, 8)]

    hashtag = Subject.parse("#8M")
    assert phrases_top(kind="term", subject=hashtag, now=NOW) == [PhraseCount("feminazi", 6, 4)]
    assert phrases_top(kind="hashtag", subject=hashtag, now=NOW) == []
    user = Subject.parse("@ana")
    assert phrases_top(kind="term", subject=user, now=NOW) == [PhraseCount("feminazi", 10, 8), PhraseCount("gorda", 4, 4)]
    assert phrases_top(kind="hashtag", subject=user, now=NOW) == [PhraseCount("marcha", 10, 8), PhraseCount("8m", 6, 4)]
