"""The analysis page's pieces: terms and explaining words marked on the characters the person typed."""
from __future__ import annotations

from dashboard.highlights import Piece, text_pieces


def word(name: str, weight: float, *spans: tuple[int, int]) -> dict:
    return {"word": name, "weight": weight, "spans": [{"start": a, "end": b} for a, b in spans]}


def test_words_and_terms_are_marked_where_they_are_and_the_rest_is_kept_whole():
    text = "🙄 Eres un NACOOO, naco"
    pieces = text_pieces(text=text, terms=[(10, 16), (18, 22)], words=[word("naco", 2.1, (10, 16), (18, 22)),
                                                                        word("eres", -0.3, (2, 6))])
    assert "".join(p.text for p in pieces) == text
    assert pieces == [
        Piece("🙄 "), Piece("Eres", word="eres", weight=-0.3), Piece(" un "),
        Piece("NACOOO", term=True, word="naco", weight=2.1), Piece(", "), Piece("naco", term=True, word="naco", weight=2.1),
    ]
    assert [p.pushes for p in pieces if p.word] == [False, True, True]


def test_a_term_longer_than_a_word_is_cut_around_it_and_shared_characters_go_to_the_heavier_word():
    text = "I don't care"
    pieces = text_pieces(text=text, terms=[(0, 7)], words=[word("do", 0.2, (2, 7)), word("not", -0.9, (2, 7))])
    assert pieces == [Piece("I ", term=True), Piece("don't", term=True, word="not", weight=-0.9), Piece(" care")]


def test_a_word_without_a_place_or_with_a_span_outside_the_text_marks_nothing():
    pieces = text_pieces(text="hola", words=[word("decada_1990", 1.0), word("x", 1.0, (3, 9))])
    assert pieces == [Piece("hola")]
    assert text_pieces(text="") == []
