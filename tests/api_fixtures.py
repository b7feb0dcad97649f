"""Fixtures and helpers for the API tests of every app (loaded from tests/conftest.py as a plugin): trained models
(once per module), clients holding keys with scopes, a clean Redis for the limits, and the read endpoints' corpus."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.keys import api_key_create
from classifier.label_sets import MOVIE_GENRES
from classifier.models import LabeledText, ModelVersion
from classifier.selectors import serving
from classifier.services.training import TrainParams, model_version_train
from ingestion.models import Category, Tweet
from ingestion.selectors.dictionary import matcher_forget
from ingestion.services.dictionary import dictionary_seed
from tests.demo_data import demo_labels_create
from tests.factories import (
    LabeledTextFactory,
    ModelVersionFactory,
    PredictionFactory,
    TweetCategoryFactory,
    TweetFactory,
)

API_SMALL = TrainParams(
    c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, min_positives=10, embeddings=False
)
READ_URLS = ["/api/v1/tweets", "/api/v1/stats", "/api/v1/models", "/api/v1/dictionary"]

# A few words per genre, mixed into plots: enough for a small movie model to learn from.
GENRE_WORDS = {
    "Sci-Fi": "spaceship alien planet laser galaxy robot",
    "Romance": "love wedding kiss heart couple romance",
    "Horror": "ghost blood haunted scream demon terror",
    "Western": "cowboy sheriff saloon ranch outlaw horse",
}
FILLER = tuple(["the", "story", "follows", "a", "man", "and", "a", "woman", "in", "a", "small", "town", "where", "nothing", "is", "what", "it", "seems"])


def movie_rows() -> list[tuple[str, list[str]]]:
    rows = []
    genres = list(GENRE_WORDS)
    for i in range(160):
        chosen = [genres[i % 4]] + ([genres[(i // 4) % 4]] if i % 3 == 0 and (i // 4) % 4 != i % 4 else [])
        words = list(FILLER[i % 5 :]) + [w for g in chosen for w in GENRE_WORDS[g].split()[(i % 3) :]]
        rows.append((" ".join(words), chosen))
    return rows


@pytest.fixture(scope="module")
def trained_models(django_db_setup, django_db_blocker) -> Iterator[dict[str, ModelVersion]]:
    """An active discrimination model (learned from the demo corpus's own judgements) and a movie-genre one,
    trained once per module and removed after it (the tests only read them, or change them inside their own
    transaction)."""
    with django_db_blocker.unblock():
        dictionary_seed()
        demo_labels_create(source="api-test")
        for i, (plot, genres) in enumerate(movie_rows()):
            LabeledTextFactory.create(task=MOVIE_GENRES, text=plot, labels=genres, source="api-test", external_id=str(i))
        versions = {
            "discrimination": model_version_train(task="discrimination", params=API_SMALL),
            MOVIE_GENRES: model_version_train(task=MOVIE_GENRES, params=API_SMALL),
        }
        yield versions
        ModelVersion.objects.all().delete()
        LabeledText.objects.filter(source="api-test").delete()
    serving.models_forget()


@pytest.fixture
def api_fresh(monkeypatch) -> Iterator[None]:
    """Limits, cached keys, loaded models and the dictionary matcher start fresh (the API tests use it)."""
    cache.clear()
    serving.models_forget()
    matcher_forget()
    monkeypatch.setattr(serving, "REFRESH_SECONDS", 0.0)
    yield
    cache.clear()


@pytest.fixture
def client_with() -> Callable[..., APIClient]:
    """An API client holding a new key with the given scopes (and limit per minute)."""

    def make(*scopes: str, rate_limit: int = 1000) -> APIClient:
        _, key = api_key_create(name="prueba", scopes=set(scopes), rate_limit=rate_limit)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return client

    return make


# --- The read endpoints ----------------------------------------------------------------------


def client_for(*scopes: str) -> APIClient:
    _, key = api_key_create(name="lectura", scopes=set(scopes), rate_limit=10_000)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def reader() -> APIClient:
    return client_for("read")


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content[:500]
    return response.json()


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert {"code", "message", "field"} <= set(body), body
    assert isinstance(body["message"], str) and body["message"]
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [row["id"] for row in body["results"]]


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def versions() -> dict[int, ModelVersion]:
    """Discrimination v1 (retired), v2 (active), v3 (candidate); movie-genres v1 (active)."""
    made = {
        number: ModelVersionFactory.create(
            task="discrimination", version=number, status=status, metrics={"macro_f1": 0.5 + number / 10},
            activated_at=utc(number, 12) if status != "candidate" else None,
        )
        for number, status in ((1, "retired"), (2, "active"), (3, "candidate"))
    }
    ModelVersionFactory.create(task="movie-genres", version=1, status="active", metrics={"macro_f1": 0.4})
    return made


def post(platform_id: str, created_at: datetime | None, state: str, **fields: Any) -> Tweet:
    made = TweetFactory(platform_id=platform_id, created_at=created_at, state=state, country_code="MX" if state else "", **fields)
    return cast(Tweet, made)


def predict(tweet: Tweet, version: ModelVersion, discriminatory: bool, categories: list[str]) -> None:
    scores = {"discriminatory": 0.9 if discriminatory else 0.1, **dict.fromkeys(categories, 0.8)}
    PredictionFactory.create(tweet=tweet, model_version=version, scores=scores, discriminatory=discriminatory, categories=categories)


@pytest.fixture
def corpus(dictionary, versions) -> dict[str, Tweet]:
    """Six dated posts over two Mexico City days (20 and 21 November) and one without a date.

    t3 is 05:00 UTC on the 21st, i.e. 23:00 on the 20th in Mexico City. t6 was never scored.
    v2 is the active model; v1 scored only t1 and t4.
    """
    v1, v2 = versions[1], versions[2]
    t = {
        "t1": post("1", utc(20, 15), "CMX"),
        "t2": post("2", utc(20, 20), "CMX"),
        "t3": post("3", utc(21, 5), "JAL", hashtags=["Jalisco"], author_name="Nombre Real", author_location="Guadalajara"),
        "t4": post("4", utc(21, 16), "CMX"),
        "t5": post("5", utc(21, 17), ""),
        "t6": post("6", utc(21, 18), "JAL"),
        "t7": post("7", None, "CMX"),
    }
    for name, disc, cats in (
        ("t1", True, ["genero"]), ("t2", False, ["edad", "genero"]), ("t3", True, ["apariencia"]),
        ("t4", True, ["genero"]), ("t5", False, []), ("t7", True, ["genero"]),
    ):
        predict(t[name], v2, disc, cats)
    predict(t["t1"], v1, False, [])
    predict(t["t4"], v1, True, ["edad"])
    # t3 came in through a gender term, but the model says it is about appearance.
    t["t3"].matches = [{"term": "feminazi", "categories": ["genero", "ideologia"], "start": 0, "end": 8}]
    t["t3"].save(update_fields=["matches"])
    for slug in ("genero", "ideologia"):
        TweetCategoryFactory.create(tweet=t["t3"], category=Category.objects.get(slug=slug))
    return t
