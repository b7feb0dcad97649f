"""Subjects: what the search box's text means (a hashtag, a user, or every post)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.selectors.counts import Subject
from dashboard.selectors.semaforo import window_end
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


def test_subjects_parse():
    assert Subject.parse("#LigaMX") == Subject("hashtag", "ligamx")
    assert Subject.parse("ligamx") == Subject("hashtag", "ligamx")
    assert Subject.parse("@Fulana_1") == Subject("user", "Fulana_1")
    assert Subject.parse("  ") == Subject()
    assert Subject.parse("#LigaMX").label == "#ligamx"
