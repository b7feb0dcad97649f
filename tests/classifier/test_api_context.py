"""A film's year and title through the API: POST /api/v1/tasks/movie-genres/predict (`context`, `contexts`) and
the reference route GET /classifier/ (`year`, `title`), with a movie model trained from rows that carry them;
bad contexts are a 400 naming the field."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from classifier.label_sets import MOVIE_GENRES
from classifier.models import LabeledText, ModelVersion
from classifier.selectors import serving
from classifier.services.training import model_version_train
from tests.api_fixtures import API_SMALL, error_of, movie_rows, ok
from tests.factories import LabeledTextFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_fresh")]

# Each genre's films come from one decade; a vague plot says nothing, so only the year can tell.
DECADES = {"Western": 1950, "Horror": 1980, "Romance": 1990, "Sci-Fi": 2010}
VAGUE = "the story follows a man and a woman in a small town"


@pytest.fixture(scope="module")
def movie_model(django_db_setup, django_db_blocker) -> Iterator[ModelVersion]:
    """A movie-genre model trained on the API's test plots, each row with a year and a title (as the
    `movies` importer stores them), plus vague plots that only their year tells apart."""
    with django_db_blocker.unblock():
        rows = movie_rows() + [(VAGUE, [genre]) for _ in range(20) for genre in DECADES]
        for i, (plot, genres) in enumerate(rows):
            year = DECADES[genres[0]] + i % 10
            LabeledTextFactory.create(
                task=MOVIE_GENRES, text=plot, labels=genres, source="api-context", external_id=str(i),
                extra={"year": str(year), "title": f"{genres[0]} story {i}"},
            )
        version = model_version_train(task=MOVIE_GENRES, params=API_SMALL)
        yield version
        ModelVersion.objects.all().delete()
        LabeledText.objects.filter(source="api-context").delete()
    serving.models_forget()


def predict(client: APIClient, body: dict, task: str = MOVIE_GENRES):  # noqa: ANN201 (a test response)
    return client.post(f"/api/v1/tasks/{task}/predict", body, format="json")


def test_the_year_decides_what_a_vague_plot_leaves_open(movie_model, client_with):
    client = client_with("classify")
    alone = ok(predict(client, {"text": VAGUE}))["results"][0]["labels"]
    for genre, decade in DECADES.items():
        (result,) = ok(predict(client, {"text": VAGUE, "context": {"year": decade + 5}}))["results"]
        assert max(result["labels"], key=result["labels"].get) == genre
        assert result["labels"][genre] > alone[genre]
        assert result["explanation"]["label"] == genre
        assert f"decada_{decade}" in [w["word"] for w in result["explanation"]["words"]]
    titled = ok(predict(client, {"text": VAGUE, "context": {"title": "Western story"}}))["results"][0]["labels"]
    assert titled != alone  # the title's words are read too


def test_one_context_per_text_and_texts_without_one_score_as_before(movie_model, client_with):
    client = client_with("classify")
    texts = [VAGUE, VAGUE, "a ghost haunts the house"]
    batch = ok(predict(client, {"texts": texts, "contexts": [{"year": 1955}, {}, {"title": ""}]}))["results"]
    single = [ok(predict(client, {"text": VAGUE, "context": {"year": 1955}}))["results"][0]]
    plain = ok(predict(client, {"texts": texts}))["results"]
    assert batch[0]["labels"] == single[0]["labels"]
    assert [r["labels"] for r in batch[1:]] == [r["labels"] for r in plain[1:]]
    assert batch[0]["labels"] != plain[0]["labels"]


def test_the_reference_route_reads_year_and_title(movie_model):
    client = APIClient()
    alone = ok(client.get("/classifier/", {"plot": VAGUE}))
    dated = ok(client.get("/classifier/", {"plot": VAGUE, "year": 1985, "title": "A night"}))
    assert max(dated, key=dated.get) == "p_Horror" and dated["p_Horror"] > alone["p_Horror"]
    assert ok(client.get("/classifier/", {"plot": VAGUE, "title": ""})) == alone
    assert error_of(client.get("/classifier/", {"plot": VAGUE, "year": 1700}), 400)["field"] == "year"
    assert error_of(client.get("/classifier/", {"plot": VAGUE, "title": "x" * 501}), 400)["field"] == "title"


@pytest.mark.parametrize(("body", "field"), [
    ({"text": VAGUE, "context": {"year": "sesenta"}}, "context.year"),
    ({"text": VAGUE, "context": {"year": 1700}}, "context.year"),
    ({"text": VAGUE, "context": {"title": 5}}, "context.title"),
    ({"text": VAGUE, "context": {"title": "x" * 501}}, "context.title"),
    ({"text": VAGUE, "context": {"yaer": 1990}}, "context"),
    ({"text": VAGUE, "context": "1990"}, "context"),
    ({"texts": [VAGUE], "context": {"year": 1990}}, "context"),
    ({"text": VAGUE, "contexts": [{"year": 1990}]}, "contexts"),
    ({"texts": [VAGUE, VAGUE], "contexts": [{"year": 1990}]}, "contexts"),
    ({"texts": [VAGUE, VAGUE], "contexts": [{"year": 1990}, {"year": 3000}]}, "contexts.1.year"),
])
def test_a_bad_context_is_a_400_naming_its_field(movie_model, client_with, body, field):
    assert error_of(predict(client_with("classify"), body), 400)["field"] == field


def test_a_task_without_context_refuses_one(client_with):
    body = error_of(predict(client_with("classify"), {"text": "hola", "context": {"year": 1990}}, task="discrimination"), 400)
    assert body["field"] == "context" and "no usa contexto" in body["message"]
