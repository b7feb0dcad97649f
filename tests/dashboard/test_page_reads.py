"""What keeps the semáforo's pages fast at millions of posts: they read the rollups only, with as many queries
however many posts there are, and still show a batch as soon as it is scored."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from dashboard.selectors.semaforo import window_end
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

PAGES = ("/", "/categoria/genero-x/")


@pytest.fixture
def genero(version):
    return CategoryFactory(slug="genero-x", name="Género X")


def _queries(client, path: str) -> list[str]:  # noqa: ANN001
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _posts_shown(html: str) -> int:
    """The scored posts of the window on the home page's «Todas las publicaciones» card."""
    card = html[html.index('data-testid="light-all"'):]
    found = re.search(r'Publicaciones</dt><dd class="num">([\d,]+)', card)
    assert found is not None
    return int(found.group(1).replace(",", ""))


def test_the_pages_read_no_posts_nor_predictions_and_as_many_queries_with_more_posts(client, version, genero):
    at = window_end() - timedelta(hours=3)
    score(posts_create(40, at=at, categories=[genero], state="JAL", hashtags=["#8M"],
                       terms=[("vieja loca", ["genero-x"])]), version=version, discriminatory=9)
    before = {path: _queries(client, path) for path in PAGES}
    for days in range(1, 6):  # more posts, over more of the baseline's days and in more states
        score(posts_create(60, at=at - timedelta(days=days), categories=[genero], state="NLE", hashtags=["#otra"],
                           terms=[("vieja loca", ["genero-x"])]), version=version, discriminatory=days)
    for path in PAGES:
        after = _queries(client, path)
        assert len(after) == len(before[path]) <= 12, path
        tables = {table for sql in after for table in ("ingestion_tweet", "classifier_prediction") if table in sql}
        assert not tables, (path, tables)  # also ingestion_tweetcategory: it grows with the posts too


def test_a_scored_batch_shows_on_the_next_page_view(client, version, genero):
    at = window_end() - timedelta(hours=1)
    score(posts_create(30, at=at, categories=[genero], state="JAL"), version=version, discriminatory=3)
    assert _posts_shown(client.get("/").content.decode()) == 30
    score(posts_create(12, at=at, categories=[genero], state="JAL"), version=version, discriminatory=1)
    assert _posts_shown(client.get("/").content.decode()) == 42


@pytest.mark.parametrize("icon", ["octagon", "triangle", "circle", "dash"])
def test_the_level_icon_tag_draws_the_same_shape_as_the_include_other_pages_use(icon):
    django = engines["django"]
    for include, tag in (
        ('{% include "dashboard/_icon.html" with icon=icon %}', "{% level_icon icon %}"),
        ('{% include "dashboard/_icon.html" with icon=icon size=14 %}', "{% level_icon icon 14 %}"),
        ('{% include "dashboard/_icon.html" with icon=icon size="4" x="3" y="5.1" %}',
         '{% level_icon icon "4" "3" "5.1" %}'),
    ):
        drawn = django.from_string(include).render({"icon": icon})
        assert django.from_string("{% load semaforo_levels %}" + tag).render({"icon": icon}) == drawn
        assert drawn.startswith('<svg class="level-icon"')
