"""Text processing for the classifiers: what a Spanish post or an English plot becomes."""
from __future__ import annotations

from dataclasses import replace

import pytest

from classifier.engine.text import ENGLISH, SPANISH, TextConfig, text_fold, text_normalize, text_tokenize
from ingestion import matching

ALL_WORDS = replace(SPANISH, remove_stopwords=False)
LEMMAS = replace(SPANISH, lemmatize=True)


def es(text: str, config: TextConfig = SPANISH) -> str:
    return text_normalize(text, config=config)


def en(text: str, config: TextConfig = ENGLISH) -> str:
    return text_normalize(text, config=config)


@pytest.mark.parametrize("text,expected", [
    ("#NoEsNormal", "no es normal"),
    ("#NiUnaMenos", "ni una menos"),
    ("#ni_una_menos", "ni una menos"),
    ("#YoSoy132", "yo soy _num_"),
    ("#MamáLuchona", "mama luchona"),
    ("#AMLOEsLoMáximo", "amlo es lo maximo"),
    ("#LGBTQ", "lgbtq"),
    ("#8M marchamos", "8m marchamos"),
    ("#noesnormal", "noesnormal"),
])
def test_hashtags_are_split_into_words(text, expected):
    assert es(text, ALL_WORDS) == expected


def test_hashtag_words_go_through_stopword_removal():
    assert es("#NoEsNormal") == "no normal"


@pytest.mark.parametrize("laugh", ["jajaja", "jajajaja", "jajajjaja", "JAJAJA", "jejeje", "ajajaja", "jsjsjs", "hahaha", "lol", "xD", "XDDD"])
def test_laughter_becomes_one_token(laugh):
    assert es(f"me da risa {laugh}!!", ALL_WORDS) == "me da risa _risa_"


def test_words_that_only_look_like_laughter_survive():
    assert es("la hija y la hoja", ALL_WORDS) == "la hija y la hoja"


@pytest.mark.parametrize("text,expected", [
    ("puuuuta", "puta"),
    ("nooooo", "no"),
    ("siiiii", "si"),
    ("perrrra", "perra"),
    ("llorar", "llorar"),
    ("carro", "carro"),
    ("acción", "accion"),
    ("leer", "leer"),
])
def test_repeated_letters_fold_but_real_doubles_survive(text, expected):
    assert es(text, ALL_WORDS) == expected


@pytest.mark.parametrize("word", ["muerte", "fuerte", "arte", "martes", "cuarto"])
def test_words_containing_rt_are_kept(word):
    assert es(f"{word} rápido") == f"{word} rapido"


def test_retweet_marker_is_dropped_only_at_the_start():
    assert es("RT @user: la muerte es parte del arte", ALL_WORDS) == "_mention_ la muerte es parte del arte"
    assert es("denle RT por favor", ALL_WORDS) == "denle rt por favor"


@pytest.mark.parametrize("word", ["negro", "indio", "gordo", "güero", "chino"])
def test_dictionary_words_that_are_surnames_are_kept(word):
    assert es(f"le dijeron {word} en la calle") == f"{word} calle".replace("ü", "u")


def test_url_mention_and_number_placeholders():
    text = "@Zurine3 mira https://t.co/46NuLkm09x y www.ejemplo.mx: 3 de 1,000 a las 12:30 (3.5%)"
    assert es(text, ALL_WORDS) == "_mention_ mira _url_ y _url_ _num_ de _num_ a las _num_ _num_"


def test_url_glued_to_a_word_is_still_found():
    assert es("#HumorMachistahttp://twitpic.com/c6q5k", ALL_WORDS) == "humor machista _url_"


def test_emoji_are_kept_as_named_tokens():
    assert es("qué asco 🙄🙄 👍🏽 🇲🇽", ALL_WORDS) == (
        "que asco _emoji_face_with_rolling_eyes_ _emoji_face_with_rolling_eyes_ _emoji_thumbs_up_ _emoji_mexico_"
    )


def test_skin_tones_do_not_make_a_new_token():
    assert es("👍🏿") == es("👍") == "_emoji_thumbs_up_"


def test_accents_fold_like_the_dictionary_matcher():
    assert es("Año, NIÑA, pingüino, ÁRBOL") == "ano nina pinguino arbol"
    assert es("Año, niña", replace(SPANISH, fold_accents=False)) == "año niña"


def test_html_entities_and_punctuation_are_dropped():
    assert es("violencia &amp; acoso... ¿¡en serio!?") == "violencia acoso serio"


def test_stopwords_are_removed_but_negations_kept():
    assert es("No es normal, ni nunca será normal sin respeto") == "no normal ni nunca normal sin respeto"


def test_negations_can_be_removed_too():
    assert es("no es normal", replace(SPANISH, keep_negations=False)) == "normal"


def test_keep_words_and_extra_stopwords():
    config = replace(SPANISH, keep_words=frozenset({"contra"}), extra_stopwords=frozenset({"q", "xq"}))
    assert es("odio contra ellas xq si q", config) == "odio contra"


def test_lemmatisation_on_and_off():
    text = "las mujeres inmigrantes corrieron"
    assert es(text) == "mujeres inmigrantes corrieron"
    assert es(text, LEMMAS) == "mujer inmigrante correr"


def test_english_variant_on_a_movie_plot():
    plot = ("when his father ' s car is stolen ,  young tom doesn ' t call the police .  "
            "he can't trust anyone in 1999 , hahaha !")
    assert en(plot) == "father car stolen tom not police not trust _num_ _laugh_"
    assert en("The killers chased the wolves") == "killers chased wolves"
    assert en("The killers chased the wolves", replace(ENGLISH, lemmatize=True)) == "killer chase wolf"


def test_tokenize_gives_the_same_tokens_as_a_list():
    text = "RT @user: #NoEsNormal jajaja 🙄 https://t.co/x"
    assert text_tokenize(text, config=SPANISH) == es(text).split()
    assert text_tokenize(text, config=SPANISH) == ["_mention_", "no", "normal", "_risa_", "_emoji_face_with_rolling_eyes_", "_url_"]


@pytest.mark.parametrize("text", [
    "RT @user: #NoEsNormal que te digan puuuuta, jajajja 🙄 https://t.co/x 3.5 sé",
    "Él y ÉSTA están 👩🏽‍💻 #8M #YoSoy132 perrrra ¡¡NOOOO!!",
])
@pytest.mark.parametrize("config", [SPANISH, ALL_WORDS, replace(SPANISH, fold_accents=False)])
def test_normalising_twice_changes_nothing(text, config):
    once = es(text, config)
    assert once
    assert es(once, config) == once


def test_normalising_an_english_plot_twice_changes_nothing():
    once = en("she didn ' t know her brother ' s secret , so she can't leave .")
    assert en(once) == once


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_or_blank_text_gives_nothing(text):
    assert es(text) == ""
    assert text_tokenize(text, config=SPANISH) == []


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        TextConfig(language="fr")  # type: ignore[arg-type]


def test_accents_fold_as_the_dictionary_matcher_folds_them():
    """The engine keeps its own copy of the matcher's fold (it imports no app): the two must agree."""
    letters = "".join(chr(code) for code in range(0x20, 0x2000)) + "İ Ǆ ﬁ MARICÓN Güero ñoño 𝐡𝐨𝐥𝐚"
    samples = [letters, *letters.split(), "ÁÉÍÓÚÜÑ áéíóúüñ", "plain ascii", ""]
    assert [text_fold(text) for text in samples] == [matching.text_fold(text) for text in samples]
