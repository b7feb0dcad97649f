"""Every page, and every admin changelist, answers hostile query strings without a 500: a NUL, extreme dates,
huge integers, unicode. (A 400, a 404 or a page with a clear empty state; never a crash.)"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from classifier.models import ModelVersion
from labeling.models import Campaign, CampaignItem
from labeling.roles import roles_sync
from tests.dashboard.builders import posts_create, score
from tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    CategoryFactory,
    ModelVersionFactory,
    TweetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = ["\x00", "a\x00b", "99999-01-01", "0000-00-00T00:00:00", "9999-12-31T23:59:59+14:00",
                  "9999-12-31T23:59:59", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "0001-01-01",
                  "-99999-01-01", "99999999999999999999999999", "-1", "🙂🏳️‍🌈 ñandú", "%", "@\x00", "#\x00"]
PARAMS = ["q", "categoria", "estado", "desde", "hasta", "termino", "pagina", "campana", "discriminatorias",
          "o", "p", "e", "all", "_changelist_filters", "status", "status__exact", "created_at__gte",
          "created_at__lt", "id__exact", "id", "texto"]


@pytest.fixture
def site(db):
    roles_sync()
    version = ModelVersionFactory.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE)
    genero = CategoryFactory(slug="genero-x", name="Género X")
    from dashboard.selectors.semaforo import window_end

    score(posts_create(5, at=window_end() - timedelta(hours=2), categories=[genero], state="JAL", hashtags=["#8M"],
                       handle="ana"), version=version, discriminatory=2)
    campaign = CampaignFactory.create(name="Marzo", status=Campaign.Status.RUNNING)
    item = CampaignItemFactory.create(campaign=campaign, tweet=TweetFactory.create(text="Texto"),
                                      status=CampaignItem.Status.DISPUTED)
    return campaign, item


def page_urls(campaign: Campaign, item: CampaignItem) -> list[str]:
    return [
        "/", "/buscar/", "/analizar/", "/publicaciones/", "/ingesta/", "/categoria/genero-x/", "/exportar/semaforo.csv",
        "/exportar/hashtags.csv", "/exportar/tendencia-diaria.csv", "/clasificador/", "/cuenta/entrar/", "/etiquetado/",
        f"/etiquetado/campanas/{campaign.pk}/", f"/etiquetado/campanas/{campaign.pk}/guia/",
        f"/etiquetado/campanas/{campaign.pk}/metricas/", "/etiquetado/revision/", f"/etiquetado/revision/{item.pk}/",
    ]


def admin_changelists() -> list[str]:
    return [reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry]


def hostile_queries() -> list[dict[str, str]]:
    """Every parameter hostile at once; and, for the drill-down, one hostile parameter beside a valid window
    (with every parameter hostile it stops at the window)."""
    window = {"desde": "2026-11-01T00:00:00+00:00", "hasta": "2026-11-02T00:00:00+00:00"}
    return [dict.fromkeys(PARAMS, value) for value in HOSTILE_VALUES] + [
        {**window, param: value} for value in HOSTILE_VALUES for param in ("q", "categoria", "estado", "termino", "pagina")
    ] + [{**window, edge: value} for value in HOSTILE_VALUES for edge in ("desde", "hasta")]


def assert_no_500(client: Client, urls: list[str]) -> None:
    crashed = []
    for url in urls:
        for query in hostile_queries():
            response = client.get(url, query)
            if response.status_code >= 500:
                crashed.append((url, query))
    assert not crashed, crashed[:10]


def test_public_pages_survive_hostile_query_strings(client, site):
    assert_no_500(Client(raise_request_exception=False), page_urls(*site))


def test_signed_in_pages_and_admin_changelists_survive_hostile_query_strings(site):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    assert_no_500(client, page_urls(*site) + admin_changelists())


def test_a_nul_is_a_400_and_an_impossible_window_says_so(site):
    client = Client()
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    assert client.get("/", {"q": "\x00"}).status_code == 400
    assert client.get("/admin/labeling/campaign/", {"status__exact": "\x00"}).status_code == 400
    api = client.get("/api/v1/tweets", {"q": "a\x00"})
    assert api.status_code == 400 and api.json()["code"] == "invalid"
    far = client.get("/publicaciones/", {"desde": "0001-01-01T00:00:00+14:00", "hasta": "2026-11-01T00:00:00"})
    assert far.status_code == 200 and "de qué periodo" in far.content.decode()
