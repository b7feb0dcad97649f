"""The semáforo over seeded data: one category red, one yellow, one green, one grey; the admin's settings move them.
Trends with their threshold lines, and what is being said (top terms and hashtags), for all posts and a search."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from classifier.models import ModelVersion
from dashboard.levels import Counts, Level, Rule, judge
from dashboard.selectors.counts import PhraseCount, Subject
from dashboard.selectors.semaforo import phrases_top, semaforo_get, states_get, trend_get, window_end
from ingestion.models import Category, Tweet, TweetCategory
from tests.dashboard.builders import NOW, posts_create, score
from tests.factories import CategoryFactory, ModelVersionFactory, SemaforoSettingsFactory

WINDOW = timedelta(hours=48)
PER_WINDOW = 50
# 14 earlier 48-hour windows alternate 10% and 20% discriminatory: mean 15%, σ 5.2 points,
# so yellow from 20.2% and red from 25.4%. Then the current window, per category:
NOW_DISCRIMINATORY = {"roja": 20, "amarilla": 11, "verde": 7}  # of 50: 40%, 22%, 14%
GREY_POSTS = 10  # fewer than the 30 the default minimum asks for


def semaforo_seed(version: ModelVersion) -> dict[str, Category]:
    """Four categories with the same history and different last 48 hours, all in Jalisco, scored by `version`."""
    end = window_end(NOW)
    categories = {slug: CategoryFactory.create(slug=slug, name=slug.title()) for slug in ("roja", "amarilla", "verde", "gris")}
    for slug, category in categories.items():
        for k in range(1, 15):
            at = end - k * WINDOW - timedelta(hours=24)
            score(posts_create(PER_WINDOW, at=at, categories=[category], state="JAL"), version=version,
                  discriminatory=5 if k % 2 else 10)
        at = end - timedelta(hours=3)
        if slug == "gris":
            score(posts_create(GREY_POSTS, at=at, categories=[category], state="JAL"), version=version, discriminatory=5)
        else:
            score(posts_create(PER_WINDOW, at=at, categories=[category], state="JAL"), version=version,
                  discriminatory=NOW_DISCRIMINATORY[slug])
    return categories


@pytest.fixture
def seeded(version):
    """The four categories, seeded for one test (which changes the seeded rows)."""
    return semaforo_seed(version)


@pytest.fixture(scope="class")
def seeded_once(django_db_setup, django_db_blocker):
    """The four categories, committed once for a class of tests that only read them (a setting they save is
    undone with their transaction), and removed after the class."""
    with django_db_blocker.unblock():
        version = ModelVersionFactory.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE)
        categories = semaforo_seed(version)
        yield categories
        tweets = TweetCategory.objects.filter(category__in=list(categories.values())).values("tweet_id")
        Tweet.objects.filter(pk__in=tweets).delete()
        version.delete()  # its predictions and rollups go with it
        Category.objects.filter(pk__in=[category.pk for category in categories.values()]).delete()


def levels(semaforo) -> dict[str, Level]:
    return {light.slug: light.level for light in semaforo.categories if light.slug in ("roja", "amarilla", "verde", "gris")}


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_once")
class TestFourCategoriesSeededOnce:
    """One red, one yellow, one green and one grey category, judged as they are or under other settings."""

    def test_one_category_of_each_level(self):
        semaforo = semaforo_get(now=NOW)
        assert levels(semaforo) == {"roja": Level.RED, "amarilla": Level.YELLOW, "verde": Level.GREEN, "gris": Level.GREY}
        lights = {light.slug: light for light in semaforo.categories}
        red = lights["roja"]
        assert (red.posts, red.judgement.discriminatory, red.rate) == (50, 20, 0.4)
        assert red.judgement.baseline_windows == 14
        assert red.judgement.baseline_mean == pytest.approx(0.15)
        assert red.judgement.baseline_sigma == pytest.approx(0.05 * (14 / 13) ** 0.5)
        assert red.change == pytest.approx(0.4 / 0.15)
        assert red.sentence == "Rojo: 2.7 veces la tasa habitual de las últimas 4 semanas."
        assert (red.label, red.icon) == ("Rojo", "octagon")
        assert lights["amarilla"].sentence == "Amarillo: 1.5 veces la tasa habitual de las últimas 4 semanas."
        assert lights["verde"].sentence == "Verde: 0.9 veces la tasa habitual de las últimas 4 semanas, dentro de lo esperado."
        assert lights["gris"].sentence == (
            "Gris: 10 publicaciones calificadas en las últimas 48 horas; hacen falta 30 para juzgar."
        )
        assert {light.icon for light in semaforo.categories if light.slug in NOW_DISCRIMINATORY or light.slug == "gris"} == {
            "octagon", "triangle", "circle", "dash"
        }
        assert semaforo.overall.posts == 3 * PER_WINDOW + GREY_POSTS
        assert (semaforo.window_start, semaforo.window_end) == (window_end(NOW) - WINDOW, window_end(NOW))
        assert semaforo.model_version == 1

    def test_the_admins_settings_change_the_levels(self):
        settings = SemaforoSettingsFactory.create()
        settings.red_sigma = 5.0  # red only from 15% + 5σ = 41%: the red category is now yellow
        settings.save()
        assert levels(semaforo_get(now=NOW))["roja"] == Level.YELLOW

        settings.red_sigma, settings.yellow_sigma = 2.0, 0.5  # yellow from 17.6%: 14% stays green, 22% yellow
        settings.save()
        assert levels(semaforo_get(now=NOW)) == {"roja": Level.RED, "amarilla": Level.YELLOW, "verde": Level.GREEN, "gris": Level.GREY}

        settings.min_posts = 5  # the grey category has enough posts now: 50% against a usual 15%
        settings.save()
        assert levels(semaforo_get(now=NOW))["gris"] == Level.RED

        settings.min_posts, settings.min_baseline_windows = 30, 15  # more history than there is: all grey
        settings.save()
        semaforo = semaforo_get(now=NOW)
        assert set(levels(semaforo).values()) == {Level.GREY}
        assert semaforo.categories[0].sentence.startswith("Gris: no hay historia suficiente para comparar")

    def test_a_shorter_window_is_judged_against_windows_of_its_own_length(self):
        SemaforoSettingsFactory.create(window_hours=24, baseline_days=28)
        # The current 24 hours hold the same posts; the 28 earlier 24-hour windows alternate
        # between 50 posts and none, so 14 usable windows, as before.
        assert levels(semaforo_get(now=NOW)) == {"roja": Level.RED, "amarilla": Level.YELLOW, "verde": Level.GREEN, "gris": Level.GREY}

    def test_states_every_one_of_the_32_judged_against_its_own_history(self):
        states = states_get(category="roja", now=NOW)
        assert len(states) == 32
        assert [s.name for s in states] == sorted(s.name for s in states)
        by_code = {s.slug: s for s in states}
        assert by_code["JAL"].level == Level.RED and by_code["JAL"].posts == 50
        assert by_code["CMX"].level == Level.GREY and by_code["CMX"].posts == 0
        everything = {s.slug: s for s in states_get(now=NOW)}
        assert everything["JAL"].posts == 3 * PER_WINDOW + GREY_POSTS


@pytest.mark.django_db
def test_without_an_active_model_every_light_is_grey_and_says_why(seeded, version):
    version.status = version.Status.RETIRED
    version.save(update_fields=["status"])
    semaforo = semaforo_get(now=NOW)
    assert semaforo.model_version is None
    assert set(levels(semaforo).values()) == {Level.GREY}
    assert semaforo.overall.sentence == "Gris: no hay un modelo activo que califique las publicaciones."


@pytest.mark.django_db
def test_a_hashtag_and_a_user_get_the_same_lights_for_their_own_posts(version):
    end = window_end(NOW)
    category = CategoryFactory(slug="roja")
    for k in range(1, 15):
        posts = posts_create(PER_WINDOW, at=end - k * WINDOW - timedelta(hours=5), categories=[category], state="NLE",
                             hashtags=["#Fut", "fut"], handle="Alguien")
        score(posts, version=version, discriminatory=5 if k % 2 else 10)
        score(posts_create(20, at=end - k * WINDOW - timedelta(hours=5)), version=version, discriminatory=0)
    score(posts_create(PER_WINDOW, at=end - timedelta(hours=1), categories=[category], state="NLE",
                       hashtags=["FUT"], handle="Alguien"), version=version, discriminatory=20)
    score(posts_create(PER_WINDOW, at=end - timedelta(hours=1)), version=version, discriminatory=0)

    for subject in (Subject.parse("#fut"), Subject.parse("@Alguien")):
        semaforo = semaforo_get(subject=subject, now=NOW)
        light = next(light for light in semaforo.categories if light.slug == "roja")
        assert (light.level, light.posts, light.judgement.discriminatory) == (Level.RED, 50, 20), subject
        assert semaforo.overall.posts == 50
        states = {s.slug: s for s in states_get(subject=subject, now=NOW)}
        assert states["NLE"].level == Level.RED
    everyone = next(light for light in semaforo_get(now=NOW).categories if light.slug == "roja")
    assert everyone.level == Level.RED
    assert semaforo_get(now=NOW).overall.posts == 100
    assert semaforo_get(subject=Subject.parse("#otro"), now=NOW).overall.posts == 0


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
