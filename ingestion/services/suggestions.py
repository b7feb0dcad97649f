"""Writes of dictionary suggestions: HurtLex's words stored as inactive terms that a person reviews.

A suggestion is a `Term` with `origin` "hurtlex-1.2", `active` False, the COPRED categories
that `ingestion/hurtlex.py` maps its HurtLex categories to, and its HurtLex rows in `notes`.
Search and matching read active terms only, so nothing imported here is searched for until
someone activates it in the admin. A term that already exists (the same text, compared as the
column's unique constraint compares it) is never touched; importing again adds nothing.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from ingestion.hurtlex import LEVEL_ROWS, HurtlexEntry, LineRejected, hurtlex_lines
from ingestion.models import Category, Term, TermCategory

_LOCK_KEY = 0x4C3C  # the PostgreSQL advisory lock two suggestion imports take turns on
PROGRESS_EVERY = 200  # lines between two progress reports


@dataclass(slots=True)
class SuggestionSummary:
    read: int = 0  # lines after the header, blank ones left out
    new_terms: int = 0
    new_by_category: Counter[str] = field(default_factory=Counter)  # COPRED slug → new suggestions
    present: int = 0  # words already in the dictionary, left exactly as they were
    other_level: int = 0  # lines of a mapped category whose level `--level` leaves out
    skipped_by_category: Counter[str] = field(default_factory=Counter)  # HurtLex code → lines, no COPRED group
    missing_categories: set[str] = field(default_factory=set)  # COPRED slugs this installation lacks
    rejected: list[LineRejected] = field(default_factory=list)


@dataclass(slots=True)
class _Candidate:
    slugs: set[str] = field(default_factory=set)
    rows: list[HurtlexEntry] = field(default_factory=list)

    def notes(self) -> str:
        rows = "; ".join(f"{r.id} {r.category.code} ({r.category.name}), {r.level}" for r in self.rows)
        return f"Sugerencia de HurtLex 1.2 sin revisar: {rows}"


def suggestions_import_hurtlex(
    *, path: Path, level: str = "conservative", on_progress: Callable[[int], None] | None = None
) -> SuggestionSummary:
    """Add HurtLex's words of the mapped categories at `level` as inactive suggestions.

    `on_progress` is given the bytes read so far. Raises `HurtlexUnreadable` for a file that is
    not HurtLex, and stores nothing then.
    """
    if level not in LEVEL_ROWS:
        raise ValueError(f"unknown level {level!r}")
    summary = SuggestionSummary()
    candidates = _candidates_read(path=path, levels=LEVEL_ROWS[level], summary=summary, on_progress=on_progress)
    _suggestions_store(candidates=candidates, summary=summary)
    return summary


def _candidates_read(
    *, path: Path, levels: frozenset[str], summary: SuggestionSummary, on_progress: Callable[[int], None] | None
) -> dict[str, _Candidate]:
    candidates: dict[str, _Candidate] = {}
    with path.open("rb") as binary:
        for item in hurtlex_lines(binary):
            summary.read += 1
            if on_progress is not None and summary.read % PROGRESS_EVERY == 0:
                on_progress(binary.tell())
            if isinstance(item, LineRejected):
                summary.rejected.append(item)
            elif item.category.slug is None:
                summary.skipped_by_category[item.category.code] += 1
            elif item.level not in levels:
                summary.other_level += 1
            else:
                candidate = candidates.setdefault(item.lemma, _Candidate())
                candidate.slugs.add(item.category.slug)
                candidate.rows.append(item)
        if on_progress is not None:
            on_progress(binary.tell())
    return candidates


def _suggestions_store(*, candidates: dict[str, _Candidate], summary: SuggestionSummary) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two imports at once would each see a word missing and both link categories to the
            # row one of them inserted; taking turns, the second sees the first's rows as present.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        categories = dict(Category.objects.filter(slug__in={s for c in candidates.values() for s in c.slugs}).values_list("slug", "pk"))
        present = set(Term.objects.filter(text__in=candidates.keys()).values_list("text", flat=True))
        summary.present = len(present)
        summary.missing_categories = {s for c in candidates.values() for s in c.slugs} - categories.keys()
        new = {
            text: candidate for text, candidate in sorted(candidates.items())
            if text not in present and candidate.slugs & categories.keys()
        }
        # A person may add one of these words in the admin meanwhile: ignore_conflicts leaves
        # their row as it is, and the filter below (our origin, no category yet) keeps it unlinked.
        Term.objects.bulk_create(
            [Term(text=text, active=False, origin=Term.Origin.HURTLEX_1_2, notes=c.notes()) for text, c in new.items()],
            ignore_conflicts=True, batch_size=1000,
        )
        inserted = dict(
            Term.objects.filter(text__in=new.keys(), origin=Term.Origin.HURTLEX_1_2, categories=None).values_list("text", "pk")
        )
        links = [
            TermCategory(term_id=term_id, category_id=categories[slug])
            for text, term_id in inserted.items() for slug in sorted(new[text].slugs & categories.keys())
        ]
        TermCategory.objects.bulk_create(links, ignore_conflicts=True, batch_size=1000)
    summary.new_terms = len(inserted)
    summary.new_by_category.update(slug for text in inserted for slug in new[text].slugs & categories.keys())
