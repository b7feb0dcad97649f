"""Writes of the dictionary: the original project's categories and terms, loaded once."""
from __future__ import annotations


def dictionary_seed() -> None:
    """Make sure the original dictionary is there (the data migration does this on migrate)."""
    from ingestion.dictionary_seed import CATEGORIES, TERMS
    from ingestion.models import Category, Term

    categories = {}
    for slug, name, description in CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for slug, texts in TERMS.items():
        for text in texts:
            term, _ = Term.objects.get_or_create(text=text)
            term.categories.add(categories[slug])
