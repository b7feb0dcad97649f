"""What a row's context becomes: movie-genres turns a year into its decade and a title into prefixed words;
other tasks have no context."""
from __future__ import annotations

from classifier.contexts import context_fields, context_tokens, contexts_tokens


def test_a_film_becomes_its_decade_and_its_title_words():
    assert context_tokens(task="movie-genres", context={"year": 1994, "title": "The Shawshank Redemption"}) == [
        "decada_1990", "titulo_the", "titulo_shawshank", "titulo_redemption",
    ]
    # As the importer stores them (the CSV's text), and with accents and numbers as the plots are normalised.
    assert context_tokens(task="movie-genres", context={"year": " 2001 ", "title": "Amélie 2"}) == [
        "decada_2000", "titulo_amelie", "titulo__num_",
    ]
    assert context_fields(task="movie-genres") == ("year", "title")


def test_values_a_field_cannot_hold_add_nothing():
    for year in ("", "sesenta", None, True, 1500, "2500", [1990]):
        assert context_tokens(task="movie-genres", context={"year": year}) == [], year
    assert context_tokens(task="movie-genres", context={"title": 7}) == []
    assert context_tokens(task="movie-genres", context={"title": "   "}) == []


def test_tasks_without_context_and_rows_without_it_score_from_the_text_alone():
    assert context_tokens(task="discrimination", context={"year": 1990}) == []
    assert context_fields(task="discrimination") == ()
    assert contexts_tokens(task="movie-genres", contexts=None) is None
    assert contexts_tokens(task="movie-genres", contexts=[{}, None, {"title": ""}]) is None
    assert contexts_tokens(task="discrimination", contexts=[{"year": 1990}]) is None
    assert contexts_tokens(task="movie-genres", contexts=[{}, {"year": 1960}]) == [[], ["decada_1960"]]
