"""Where each token came from: spans in the text as sent, on accents, emoji, elongations, URLs and hashtags."""
from __future__ import annotations

from dataclasses import replace

import pytest

from classifier.engine import offsets
from classifier.engine.offsets import text_tokens_placed, text_word_spans
from classifier.engine.text import ENGLISH, SPANISH, TextConfig, text_config_for, text_tokenize
from ingestion.sources.replay import demo_corpus

ES = text_config_for(language="es")  # what task models use: stopwords kept
EN = text_config_for(language="en")

TRICKY = [
    "Ñoño ESTÚPIDA putoooo jajajaja", "RT @Juan_3: mira https://t.co/x #NoEsNormal 🙄👍🏽 3,5 &amp; fin",
    "ESTU\u0301PIDA n\u0303on\u0303o", "ｈｏｌａ 𝐡𝐨𝐥𝐚 ﬁn", "machistahttp://x.com/a b", "#YoSoy132 8M #ni_una_menos",
    "&notit; &lt;3 ¿qué? &#233;l", "👨‍👩‍👧 1️⃣ x", "perrrra nooooo llorar", "", "   ", "pic.twitter.com/abc hola",
    "_url_ _risa_ _emoji_clown_face_", "xDDD LOOOL jsjsjs", "@@doble ##doble #", "İstanbul ǅemal ß",
    "한국어 텍스트", "\u1100\u1161\u11a8 jamo", "क़ि हिन्दी", "tab\there\nnew\u3000line\u00a0nbsp",
    "#MamáLuchona #AMLOEsLoMáximo", "naco🙄naco", "e\u0301\u0301 doble acento",
]
ENGLISH_TRICKY = ["I don't like father's car, they ' re bad", "CAN'T won't ain't", "Goooood wizard 🧙‍♂️ lol"]


@pytest.mark.parametrize("config", [ES, SPANISH, replace(SPANISH, lemmatize=True), replace(ES, fold_accents=False)])
def test_placed_tokens_are_text_tokenizes_in_order_with_spans_inside_the_text(config: TextConfig):
    for text in TRICKY + [item["text"] for item in demo_corpus()]:
        placed = text_tokens_placed(text, config=config)
        assert [token for token, _, _ in placed] == text_tokenize(text, config=config), text
        assert all(0 <= start < end <= len(text) for _, start, end in placed), text
        assert [start for _, start, _ in placed] == sorted(start for _, start, _ in placed), text


@pytest.mark.parametrize("config", [EN, ENGLISH])
def test_english_placed_tokens_are_text_tokenizes(config: TextConfig):
    for text in ENGLISH_TRICKY + TRICKY:
        assert [token for token, _, _ in text_tokens_placed(text, config=config)] == text_tokenize(text, config=config)


def written(text: str, config: TextConfig = ES) -> list[tuple[str, str]]:
    """Each token and the characters of `text` it spans."""
    return [(token, text[start:end]) for token, start, end in text_tokens_placed(text, config=config)]


def test_a_word_spans_the_word_as_written_accents_capitals_and_elongations_included():
    assert written("Ñoño ESTÚPIDA putoooo jajajaja, PERRRRA") == [
        ("nono", "Ñoño"), ("estupida", "ESTÚPIDA"), ("puto", "putoooo"), ("_risa_", "jajajaja"), ("perra", "PERRRRA"),
    ]


def test_combining_accents_and_styled_letters_span_their_code_points_in_the_text_as_sent():
    text = "ESTU\u0301PIDA n\u0303on\u0303o ｈｏｌａ 𝐡𝐨𝐥𝐚"
    assert written(text) == [("estupida", "ESTU\u0301PIDA"), ("nono", "n\u0303on\u0303o"), ("hola", "ｈｏｌａ"), ("hola", "𝐡𝐨𝐥𝐚")]
    assert text_word_spans(text, config=ES, words=["estupida"]) == {"estupida": [(0, 9)]}  # 9 code points, not 8


def test_emoji_span_their_code_points_and_their_skin_tone():
    text = "ok 🙄👍🏽 👨‍👩‍👧 1️⃣"
    assert written(text) == [
        ("ok", "ok"), ("_emoji_face_with_rolling_eyes_", "🙄"), ("_emoji_thumbs_up_", "👍🏽"),
        ("_emoji_family_man_woman_girl_", "👨\u200d👩\u200d👧"), ("_emoji_keycap_1_", "1️⃣"),
    ]
    # After an emoji, offsets are still code points of the text as sent (an emoji is not two UTF-16 units here).
    assert text_word_spans("🙄🙄 naco", config=ES, words=["naco"]) == {"naco": [(3, 7)]}


def test_urls_mentions_numbers_and_hashtag_parts_span_what_they_replaced():
    text = "RT @Juan_3: mira machistahttps://t.co/x #NoEsNormal #YoSoy132 3,5 &amp; fin"
    assert written(text) == [
        ("_mention_", "@Juan_3"), ("mira", "mira"), ("machista", "machista"), ("_url_", "https://t.co/x"),
        ("no", "No"), ("es", "Es"), ("normal", "Normal"), ("yo", "Yo"), ("soy", "Soy"), ("_num_", "132"),
        ("_num_", "3,5"), ("fin", "fin"),
    ]


def test_html_entities_span_the_entity_and_later_words_keep_their_place():
    text = "a &amp; b &lt;3 &#233;l naco"
    assert written(text) == [("a", "a"), ("b", "b"), ("_num_", "3"), ("el", "&#233;l"), ("naco", "naco")]


def test_english_contractions_span_the_word_as_written():
    text = "I don't like father's car"
    assert written(text, EN) == [("i", "I"), ("do", "don't"), ("not", "don't"), ("like", "like"), ("father", "father"),
                                 ("car", "car")]


def test_a_word_gives_every_occurrence_in_order_and_a_word_not_in_the_text_none():
    spans = text_word_spans("La PUTA madre, puta vida, putaaa", config=ES, words=["puta", "decada_1990"])
    assert spans == {"puta": [(3, 7), (15, 19), (26, 32)], "decada_1990": []}


def test_each_distinct_chunk_is_scanned_once(monkeypatch):
    scanned = []
    original = offsets._chunk_placed
    monkeypatch.setattr(offsets, "_chunk_placed", lambda pipeline, chunk: (scanned.append(chunk.text), original(pipeline, chunk))[1])
    config = replace(ES, keep_words=frozenset({"una configuracion nueva"}))  # caches of its own, empty
    text = "naco, dijo el naco: NACO naco,"
    assert text_word_spans(text, config=config, words=["naco"]) == {"naco": [(0, 4), (14, 18), (20, 24), (25, 29)]}
    text_word_spans(text, config=config, words=["dijo"])
    assert sorted(scanned) == sorted(["naco,", "dijo", "el", "naco:", "NACO"])


def test_when_unicode_composes_across_letters_the_words_still_span_their_characters():
    text = "\u1100\u1161\u11a8 hola"  # Hangul jamo: NFKC composes three starters into one syllable
    placed = text_tokens_placed(text, config=ES)
    assert [(token, text[start:end]) for token, start, end in placed][-1] == ("hola", "hola")
    assert [token for token, _, _ in placed] == text_tokenize(text, config=ES)
