"""The dictionary as the matcher reads it: the admin's active terms and categories, and the original dictionary."""
from io import StringIO

import pytest
from django.core.management import call_command

from ingestion.models import Category, Term
from ingestion.selectors.dictionary import category_lexicon, matcher_build
from tests.factories import CategoryFactory, TermFactory
from tests.shared_data import SHARED, needs_shared


@pytest.mark.django_db
def test_matcher_follows_the_admin_dictionary(dictionary):
    assert matcher_build().match("qué naco").terms == ["naco"]
    Term.objects.filter(text="naco").update(active=False)
    assert matcher_build().match("qué naco").terms == []
    category = CategoryFactory(slug="xenofobia", name="Xenofobia")
    TermFactory(text="pinche migrante", categories=[category])
    assert matcher_build().match("Pinche MIGRANTE").categories == ["xenofobia"]
    category.active = False
    category.save()
    assert matcher_build().match("Pinche MIGRANTE").matches == []


@pytest.mark.django_db
def test_original_dictionary_is_loaded(dictionary):
    matcher = matcher_build()
    assert matcher.size == 50  # 51 entries, "feminazi" listed under two categories
    assert matcher.match("#feminazi").categories == ["genero", "ideologia"]
    assert matcher.match("testículos de Jehová").categories == ["religion"]


@needs_shared
@pytest.mark.django_db
def test_category_lexicon_adds_the_pending_hurtlex_suggestions_only_when_asked(dictionary):
    TermFactory(text="enano", active=False, categories=[Category.objects.get(slug="discapacidad")])  # turned off by a person
    call_command("import_terms", str(SHARED / "hurtlex_es" / "hurtlex_ES.tsv"), format="hurtlex", no_progress=True, stdout=StringIO())
    Category.objects.filter(slug="edad").update(active=False)

    searched = category_lexicon(include_suggestions=False)
    widened = category_lexicon(include_suggestions=True)

    assert set(searched) == set(widened) == {"apariencia", "discapacidad", "genero", "ideologia", "orientacion", "religion"}
    assert searched["discapacidad"] == ["ciego", "cojo", "discapacitado"]
    assert searched["genero"] == sorted(searched["genero"]) and "zorra" not in searched["genero"]
    assert "zorra" in widened["genero"] and "tonto" in widened["apariencia"] and "maricón" in widened["orientacion"]
    assert "enano" not in widened["discapacidad"]
    # every suggestion of the import (its summary: apariencia 68, discapacidad 253, genero 150, orientacion 19)
    # but "enano", which was there before it
    assert sum(map(len, widened.values())) - sum(map(len, searched.values())) == 68 + 253 + 150 + 19 - 1
    assert set(searched["religion"]) == set(widened["religion"])  # HurtLex suggests nothing for religión
