"""Anonymous pages list a hashtag only when at least 3 posts carry it: one or two posts can single a person out."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from dashboard.selectors.semaforo import window_end
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(version):
    """#Marcha on exactly the minimum (3 posts), #MiVecinaLupita one short of it (2)."""
    at, genero = window_end() - timedelta(hours=2), CategoryFactory(slug="genero-x", name="Género X")
    score(posts_create(3, at=at, categories=[genero], state="JAL", hashtags=["#Marcha"]), version=version, discriminatory=2)
    score(posts_create(2, at=at, categories=[genero], state="JAL", hashtags=["#MiVecinaLupita"]), version=version,
          discriminatory=1)
    return version


def hashtags_exported(client) -> set[str]:  # noqa: ANN001
    return {row["texto"] for row in csv.DictReader(io.StringIO(client.get("/exportar/hashtags.csv").content.decode()))}


def test_a_hashtag_of_fewer_than_three_posts_is_hidden_from_visitors_only(client, tagged):
    home = client.get("/").content.decode()
    assert "marcha" in home and "mivecinalupita" not in home
    assert "mivecinalupita" not in client.get("/categoria/genero-x/").content.decode()
    assert hashtags_exported(client) == {"marcha"}
    client.force_login(UserFactory.create(username="ana"))
    assert "mivecinalupita" in client.get("/").content.decode()
    assert hashtags_exported(client) == {"marcha", "mivecinalupita"}
