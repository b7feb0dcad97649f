"""Reads of the dictionary: the active terms, the live matcher built from them, each category's words (suggestions
included if asked), and the dictionary as listed by the API."""
from __future__ import annotations

import time
from collections import defaultdict

from django.db.models import Count, Max, Prefetch, Q

from ingestion.matching import DictionaryTerm, Matcher
from ingestion.models import Category, Term, TermCategory


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


MATCHER_REFRESH_SECONDS = 10.0


_current: dict[str, object] = {}


def _dictionary_fingerprint() -> tuple[object, ...]:
    terms = Term.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    categories = Category.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    links = TermCategory.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (*terms.values(), *categories.values(), *links.values())


def matcher_forget() -> None:
    _current.clear()


def matcher_current() -> Matcher:
    """The active dictionary's matcher, kept per process: compiled again only when the
    dictionary changed, which is checked at most every `MATCHER_REFRESH_SECONDS`."""
    now = time.monotonic()
    matcher = _current.get("matcher")
    if isinstance(matcher, Matcher) and now - float(_current["checked_at"]) < MATCHER_REFRESH_SECONDS:  # type: ignore[arg-type]
        return matcher
    fingerprint = _dictionary_fingerprint()
    if not isinstance(matcher, Matcher) or fingerprint != _current.get("fingerprint"):
        matcher = matcher_build()
        _current.update(matcher=matcher, fingerprint=fingerprint)
    _current["checked_at"] = now
    return matcher


def category_ids_by_slug() -> dict[str, int]:
    return dict(Category.objects.values_list("slug", "pk"))


def category_lexicon(*, include_suggestions: bool) -> dict[str, list[str]]:
    """Every active category's slug → its terms' texts, sorted: the active terms, and with
    `include_suggestions` also the imported suggestions nobody has activated yet (weak evidence
    of which group a text is about; never searched for). Terms a person turned off stay out."""
    wanted = Q(term__active=True)
    if include_suggestions:
        wanted |= Q(term__active=False) & ~Q(term__origin=Term.Origin.PERSON)
    lexicon: dict[str, list[str]] = {slug: [] for slug in Category.objects.filter(active=True).values_list("slug", flat=True)}
    links = TermCategory.objects.filter(wanted, category__active=True).order_by("term__text")
    for slug, text in links.values_list("category__slug", "term__text"):
        lexicon[slug].append(text)
    return lexicon



def dictionary_list(*, include_inactive: bool = False) -> list[Category]:
    """Categories by name, each with `listed_terms` by text; inactive ones (and inactive terms) only if asked."""
    categories = Category.objects.order_by("name", "slug")
    terms = Term.objects.order_by("text").only("text", "active")
    if not include_inactive:
        categories = categories.filter(active=True)
        terms = terms.filter(active=True)
    return list(categories.prefetch_related(Prefetch("terms", queryset=terms, to_attr="listed_terms")))
