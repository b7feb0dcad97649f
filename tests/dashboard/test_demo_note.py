"""The semáforo and the posts behind its numbers say so when the active model is the demo's."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from classifier.models import ModelVersion
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory

DEMO_NOTE = "Modelo de demostración, aprendido de publicaciones sintéticas"


@pytest.fixture(params=[True, False], ids=["demo", "real"])
def active(request, db):
    version = ModelVersion.objects.create(
        task="discrimination", version=1, status=ModelVersion.Status.ACTIVE,
        metrics={"demo": True, "rows_per_source": {"demo": 200}} if request.param else {"rows_per_source": {"detoxis": 3000}},
    )
    category = CategoryFactory(slug="edad", name="Edad")
    score(posts_create(40, at=timezone.now() - timedelta(hours=2), categories=[category], state="JAL"), version=version, discriminatory=8)
    return request.param


def test_every_page_with_the_models_numbers_names_a_demo_model(client, active):
    staff = get_user_model().objects.create_user("analista", password="clave-9471", is_staff=True)
    pages = ["/", "/categoria/edad/"]
    for path in pages:
        assert (DEMO_NOTE in client.get(path).content.decode()) is active, path
    client.force_login(staff)
    now = timezone.now()
    window = {"categoria": "edad", "desde": (now - timedelta(hours=48)).isoformat(), "hasta": now.isoformat()}
    posts = client.get("/publicaciones/", window).content.decode()
    assert "40 publicaciones" in posts
    assert (DEMO_NOTE in posts) is active
