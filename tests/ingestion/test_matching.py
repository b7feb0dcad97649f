"""The dictionary matcher: what an admin expects a term to find, and not find."""
import pytest

from ingestion.matching import DictionaryTerm, Matcher

TERMS = [
    DictionaryTerm("maricon", ("orientacion",)),
    DictionaryTerm("puto", ("orientacion",)),
    DictionaryTerm("naco", ("apariencia",)),
    DictionaryTerm("feminazi", ("genero", "ideologia")),
    DictionaryTerm("mama luchona", ("genero",)),
    DictionaryTerm("pinche niño", ("edad",)),
    DictionaryTerm("arroz con popote", ("orientacion",)),
    DictionaryTerm("güerito", ("apariencia",)),
]


@pytest.fixture(scope="module")
def matcher():
    return Matcher(TERMS)


def found(matcher, text):
    return [(m.term, text[m.start:m.end]) for m in matcher.match(text).matches]


@pytest.mark.parametrize("text,term,surface", [
    ("eres un maricón", "maricon", "maricón"),
    ("ERES UN MARICON", "maricon", "MARICON"),
    ("Qué NACO", "naco", "NACO"),
    ("ese guerito no sabe", "güerito", "guerito"),
    ("ese güerito no sabe", "güerito", "güerito"),
    ("pinche nino", "pinche niño", "pinche nino"),
    ("Pinche   Niño malcriado", "pinche niño", "Pinche   Niño"),
])
def test_case_and_accent_insensitive(matcher, text, term, surface):
    assert found(matcher, text) == [(term, surface)]


@pytest.mark.parametrize("text", [
    "el cómputo de votos terminó",
    "la disputa sigue",
    "reputación intachable",
    "nacional y popular",
    "nacotes y nacorros",
    "arroz con leche",
    "mama",
])
def test_whole_words_and_phrases_only(matcher, text):
    assert found(matcher, text) == []


@pytest.mark.parametrize("text,term", [
    ("#feminazi de nuevo", "feminazi"),
    ("#Feminazi", "feminazi"),
    ("otra #MamaLuchona en el metro", "mama luchona"),
    ("#mamaluchona", "mama luchona"),
    ("puuuuto", "puto"),
    ("PUTOOOOO", "puto"),
    ("naaaaco", "naco"),
    ("arroz con popoteeee", "arroz con popote"),
])
def test_hashtags_and_repeated_letters(matcher, text, term):
    assert [t for t, _ in found(matcher, text)] == [term]


def test_spans_point_into_the_original_text(matcher):
    text = "¡Ay, qué NAAACO! y además #Feminazi 🙄 jaja"
    result = matcher.match(text)
    assert [(m.term, text[m.start:m.end]) for m in result.matches] == [("naco", "NAAACO"), ("feminazi", "Feminazi")]
    assert result.categories == ["apariencia", "genero", "ideologia"]
    assert result.terms == ["feminazi", "naco"]


@pytest.mark.parametrize("text,term,surface", [
    ("puros nacos", "naco", "nacos"),
    ("esos maricones", "maricon", "maricones"),
    ("pinches niños", "pinche niño", "pinches niños"),
    ("#feminazis", "feminazi", "feminazis"),
])
def test_plurals_match(matcher, text, term, surface):
    assert found(matcher, text) == [(term, surface)]


def test_several_terms_in_one_text(matcher):
    text = "pinche niño, deja de decir maricon"
    assert [t for t, _ in found(matcher, text)] == ["pinche niño", "maricon"]


def test_empty_dictionary_matches_nothing():
    assert Matcher([]).match("cualquier cosa").matches == []
