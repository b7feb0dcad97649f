"""Per-row context: what a row brings besides its text, as tokens its task's model reads after the text's own.

A task may have a context: a few fields a labelled row keeps in `LabeledText.extra`
(its importer fills them) and a client may send with a text. `context_tokens`
turns them into tokens, which the engine appends to the text's tokens
(`classifier.engine.text.tokens_with_context`) without knowing what they mean:
training reads each row's `extra`, serving the request's context. A row or a
request without context scores from its text alone, exactly as before.

- movie-genres: `year` → its decade (`decada_1990`); `title` → each of its words,
  prefixed (`titulo_wizard`), so a title word is a feature of its own, apart from
  the same word in the plot.

Every other task has no context: its rows train and score from their text alone.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from classifier.engine.text import text_config_for, text_tokenize
from classifier.label_sets import MOVIE_GENRES, task_language

YEAR_MIN, YEAR_MAX = 1800, 2100
TITLE_MAX_CHARS = 500
DECADE_PREFIX = "decada_"
TITLE_PREFIX = "titulo_"


def _year(value: Any) -> int | None:
    """A year from a request (an int) or a stored row (the CSV's text); None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        return None
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def _movie_tokens(context: Mapping[str, Any]) -> list[str]:
    tokens = []
    year = _year(context.get("year"))
    if year is not None:
        tokens.append(f"{DECADE_PREFIX}{year // 10 * 10}")
    title = context.get("title")
    if isinstance(title, str) and title.strip():
        # The plot's own normalisation, stopwords kept ("the", "of": a title has few words to spare).
        config = text_config_for(language=task_language(task=MOVIE_GENRES))
        tokens += [TITLE_PREFIX + word for word in text_tokenize(title[:TITLE_MAX_CHARS], config=config)]
    return tokens


# Per task: the context's fields, and how a context (a request's or a row's `extra`) becomes tokens.
_CONTEXTS: dict[str, tuple[tuple[str, ...], Callable[[Mapping[str, Any]], list[str]]]] = {
    MOVIE_GENRES: (("year", "title"), _movie_tokens),
}


def context_fields(*, task: str) -> tuple[str, ...]:
    """The fields a task's context takes; none for a task without context."""
    return _CONTEXTS[task][0] if task in _CONTEXTS else ()


def context_tokens(*, task: str, context: Mapping[str, Any] | None) -> list[str]:
    """The tokens a row's context adds after its text's (none without context, or for a task without one).
    Values that are not what the field holds (a year that is not a number) add nothing."""
    if not context or task not in _CONTEXTS:
        return []
    return _CONTEXTS[task][1](context)


def contexts_tokens(*, task: str, contexts: Sequence[Mapping[str, Any] | None] | None) -> list[list[str]] | None:
    """Per row, its context tokens; None when the task has no context or no row has any (the engine then
    scores the texts alone, on its usual path)."""
    if contexts is None or task not in _CONTEXTS:
        return None
    tokens = [context_tokens(task=task, context=context) for context in contexts]
    return tokens if any(tokens) else None


def contexts_select(contexts: list[list[str]] | None, rows: Iterable[Any]) -> list[list[str]] | None:
    """The context tokens of the rows where `rows` is true (a boolean mask), or None without contexts."""
    return None if contexts is None else [tokens for tokens, kept in zip(contexts, rows, strict=True) if kept]
