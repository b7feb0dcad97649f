"""API fixtures: trained models (once per module), keys with scopes, a clean Redis for the limits."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.keys import api_key_create
from classifier.label_sets import MOVIE_GENRES
from classifier.models import LabeledText, ModelVersion
from classifier.selectors import serving
from classifier.services.training import TrainParams, model_version_train
from ingestion.selectors.dictionary import matcher_forget
from ingestion.services.dictionary import dictionary_seed
from ingestion.sources.replay import demo_corpus

SMALL = TrainParams(
    c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, min_positives=10, embeddings=False
)

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
def trained_models(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, ModelVersion]]:
    """An active discrimination model (learned from the demo corpus's own judgements) and a movie-genre one."""
    with django_db_blocker.unblock():
        dictionary_seed()
        for item in demo_corpus():
            labels = (["discriminatory"] if item["discriminatory"] else []) + item["categories"]
            LabeledText.objects.create(
                task="discrimination", text=item["text"], labels=labels, source="api-test", external_id=item["id"]
            )
        for i, (plot, genres) in enumerate(movie_rows()):
            LabeledText.objects.create(task=MOVIE_GENRES, text=plot, labels=genres, source="api-test", external_id=str(i))
        versions = {
            "discrimination": model_version_train(task="discrimination", params=SMALL),
            MOVIE_GENRES: model_version_train(task=MOVIE_GENRES, params=SMALL),
        }
        yield versions
        ModelVersion.objects.all().delete()
        LabeledText.objects.filter(source="api-test").delete()
    serving.models_forget()


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch) -> Iterator[None]:
    """Limits, cached keys, loaded models and the dictionary matcher start fresh in every test."""
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
