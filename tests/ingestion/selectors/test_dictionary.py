"""The dictionary as the matcher reads it: the admin's active terms and categories, and the original dictionary."""
import pytest

from ingestion.models import Term
from ingestion.selectors.dictionary import matcher_build
from tests.factories import CategoryFactory, TermFactory


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
