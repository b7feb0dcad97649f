"""The semáforo over seeded data: one category red, one yellow, one green, one grey; the admin's settings move them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.levels import Level
from dashboard.models import SemaforoSettings
from dashboard.selectors.counts import Subject
from dashboard.selectors.semaforo import semaforo_get, states_get, window_end
from tests.dashboard.builders import NOW, posts_create, score
from tests.factories import CategoryFactory

WINDOW = timedelta(hours=48)
PER_WINDOW = 50
# 14 earlier 48-hour windows alternate 10% and 20% discriminatory: mean 15%, σ 5.2 points,
# so yellow from 20.2% and red from 25.4%. Then the current window, per category:
NOW_DISCRIMINATORY = {"roja": 20, "amarilla": 11, "verde": 7}  # of 50: 40%, 22%, 14%
GREY_POSTS = 10  # fewer than the 30 the default minimum asks for


@pytest.fixture
def seeded(version):
    """Four categories with the same history and different last 48 hours, all in Jalisco."""
    end = window_end(NOW)
    categories = {slug: CategoryFactory(slug=slug, name=slug.title()) for slug in ("roja", "amarilla", "verde", "gris")}
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


def levels(semaforo) -> dict[str, Level]:
    return {light.slug: light.level for light in semaforo.categories if light.slug in ("roja", "amarilla", "verde", "gris")}


@pytest.mark.django_db
def test_one_category_of_each_level(seeded):
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


@pytest.mark.django_db
def test_the_admins_settings_change_the_levels(seeded):
    settings = SemaforoSettings.objects.create()
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


@pytest.mark.django_db
def test_a_shorter_window_is_judged_against_windows_of_its_own_length(seeded):
    SemaforoSettings.objects.create(window_hours=24, baseline_days=28)
    # The current 24 hours hold the same posts; the 28 earlier 24-hour windows alternate
    # between 50 posts and none, so 14 usable windows, as before.
    assert levels(semaforo_get(now=NOW)) == {"roja": Level.RED, "amarilla": Level.YELLOW, "verde": Level.GREEN, "gris": Level.GREY}


@pytest.mark.django_db
def test_without_an_active_model_every_light_is_grey_and_says_why(seeded, version):
    version.status = version.Status.RETIRED
    version.save(update_fields=["status"])
    semaforo = semaforo_get(now=NOW)
    assert semaforo.model_version is None
    assert set(levels(semaforo).values()) == {Level.GREY}
    assert semaforo.overall.sentence == "Gris: no hay un modelo activo que califique las publicaciones."


@pytest.mark.django_db
def test_states_every_one_of_the_32_judged_against_its_own_history(seeded):
    states = states_get(category="roja", now=NOW)
    assert len(states) == 32
    assert [s.name for s in states] == sorted(s.name for s in states)
    by_code = {s.slug: s for s in states}
    assert by_code["JAL"].level == Level.RED and by_code["JAL"].posts == 50
    assert by_code["CMX"].level == Level.GREY and by_code["CMX"].posts == 0
    everything = {s.slug: s for s in states_get(now=NOW)}
    assert everything["JAL"].posts == 3 * PER_WINDOW + GREY_POSTS


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
