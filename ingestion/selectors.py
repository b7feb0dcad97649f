"""Reads for ingestion: the active dictionary, sources due for download, run history."""
from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from .matching import DictionaryTerm, Matcher
from .models import Category, IngestionRun, Source, Term, TermCategory


def dictionary_terms_active() -> list[DictionaryTerm]:
    """Active terms with their active categories; a term with no active category is left out."""
    categories: dict[int, list[str]] = defaultdict(list)
    through = TermCategory.objects.filter(
        term__active=True, category__active=True
    ).values_list("term_id", "category__slug")
    for term_id, slug in through:
        categories[term_id].append(slug)
    terms = Term.objects.filter(active=True, pk__in=categories.keys()).values_list("pk", "text")
    return [DictionaryTerm(text, tuple(sorted(categories[pk]))) for pk, text in terms]


def matcher_build() -> Matcher:
    return Matcher(dictionary_terms_active())


def category_ids_by_slug() -> dict[str, int]:
    return dict(Category.objects.values_list("slug", "pk"))


def sources_enabled() -> QuerySet[Source]:
    return Source.objects.filter(enabled=True).exclude(kind=Source.Kind.FILE)


def runs_recent(*, limit: int = 20) -> QuerySet[IngestionRun]:
    return IngestionRun.objects.select_related("source").order_by("-started_at")[:limit]
