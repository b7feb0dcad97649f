"""/analizar/ with the reference task's movie genres next to the discrimination result, and a demo model's scores
named as such."""
from __future__ import annotations

import pytest

from classifier.services.demo import movie_demo_model_ensure
from tests.classifier.pages import section, table_rows

TEXT = "Pinche naco, regrésate a tu rancho"
DEMO_NOTE = "Modelo de demostración, aprendido de publicaciones sintéticas: sus puntuaciones no describen la realidad."
MOVIE_DEMO_NOTE = "Modelo de demostración, aprendido de sinopsis sintéticas: sus puntuaciones no describen la realidad."


@pytest.fixture
def movie_model(archive_dir):
    return movie_demo_model_ensure()


def test_the_movie_genres_appear_next_to_the_discrimination_result(client, trained_model, movie_model):
    plot = "a lone gunslinger and the sheriff face a gang of outlaws in a frontier town"
    html = client.post("/analizar/", {"texto": plot}).content.decode()
    assert 'data-testid="analysis"' in html
    movies = section(html, "movie-genres")
    assert "Géneros de película (tarea de referencia)" in movies
    scores = table_rows(movies, "movie-scores")
    assert scores[0][0].startswith("Western") and len(scores) == 6  # by their Spanish names, likeliest first
    assert MOVIE_DEMO_NOTE in movies
    assert f"Modelo de géneros de película v{movie_model.version}." in movies
    # The discrimination model here is not a demo: its section says nothing of the kind.
    assert DEMO_NOTE not in section(html, "analysis")


def test_a_demo_discrimination_model_says_so_on_the_page(client, trained_model):
    trained_model.metrics = {**trained_model.metrics, "demo": True}
    trained_model.save(update_fields=["metrics"])
    html = client.post("/analizar/", {"texto": TEXT}).content.decode()
    assert DEMO_NOTE in section(html, "analysis")


def test_without_a_movie_model_there_is_no_movie_section(client, trained_model):
    html = client.post("/analizar/", {"texto": TEXT}).content.decode()
    assert 'data-testid="analysis"' in html and 'data-testid="movie-genres"' not in html
