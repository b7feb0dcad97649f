"""A text cut into the pieces the analysis page marks: the dictionary's terms, and the words a model explains by.

The classifier places both in the text as sent (`matched_terms` and the explanation
words' `spans`, character offsets), so the page marks exactly the characters the
person typed: "PUTOOOO" whole, "Es" inside "#NoEsNormal", an emoji with its skin tone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    term: bool = False  # inside a dictionary term
    word: str = ""  # the explaining word it belongs to ("" when none)
    weight: float | None = None  # that word's weight (log-odds; positive pushes towards the label)

    @property
    def pushes(self) -> bool:
        return self.weight is not None and self.weight > 0


def text_pieces(
    *, text: str, terms: Iterable[tuple[int, int]] = (), words: Iterable[Mapping[str, Any]] = ()
) -> list[Piece]:
    """`text` in pieces, each inside or outside a term and inside at most one explaining word (the one that
    weighed most where two share characters, as "do" and "not" share "don't"). `words` are an explanation's
    entries, with their `spans`; a word without a place (a context token) marks nothing."""
    terms = [(start, end) for start, end in terms if 0 <= start < end <= len(text)]
    marks: list[tuple[int, int, str, float]] = [
        (span["start"], span["end"], word["word"], float(word["weight"]))
        for word in words for span in word.get("spans", []) if 0 <= span["start"] < span["end"] <= len(text)
    ]
    bounds = sorted({0, len(text), *(b for span in terms for b in span), *(b for m in marks for b in m[:2])})
    pieces: list[Piece] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        term = any(a <= start and end <= b for a, b in terms)
        covering = [m for m in marks if m[0] <= start and end <= m[1]]
        _, _, word, weight = max(covering, key=lambda m: abs(m[3])) if covering else (0, 0, "", None)
        piece = Piece(text[start:end], term=term, word=word, weight=weight)
        last = pieces[-1] if pieces else None
        if last is not None and (last.term, last.word, last.weight) == (term, word, weight):
            pieces[-1] = Piece(last.text + piece.text, term=term, word=word, weight=weight)
        else:
            pieces.append(piece)
    return pieces
