"""Find dictionary terms in a text.

Matching is case- and accent-insensitive ("maricon" finds "maricón"), on whole
words and phrases only ("puto" does not match inside "cómputo") and their plurals
("nacos"), tolerant of repeated letters ("puuuuto") and of hashtags ("#feminazi",
"#MamaLuchona").

Folding keeps one character per original character, so the spans a match
reports point into the text exactly as it was written.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field


def _build_fold_table() -> dict[int, str]:
    """Map every Latin letter with a diacritic to its lower-case base letter (1:1)."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        if len(base) == 1 and base.isascii() and base.isalpha():
            table[code] = base
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    return table


_FOLD_TABLE = _build_fold_table()
_SPACE_RE = re.compile(r"[\s_]+")


_ACCENTED_RE = re.compile("[\u00c0-\u024f]")


def _accent_strip(found: re.Match[str]) -> str:
    return _FOLD_TABLE.get(ord(found.group()), found.group())


def text_fold(text: str) -> str:
    """Lower-case and strip accents without changing the string's length."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer ("İ"): fold one by one
        return text.translate(_FOLD_TABLE)
    if low.isascii():
        return low
    # str.translate with a dict costs a lookup per character; a post has few accents.
    return _ACCENTED_RE.sub(_accent_strip, low)


def term_normalize(term: str) -> str:
    """The canonical form of a dictionary term: folded, single-spaced, trimmed."""
    return _SPACE_RE.sub(" ", text_fold(term)).strip()


_SEPARATOR = " "
# Every word of a term also matches its plural: "naco" finds "nacos", "maricón" "maricones".
_PLURAL = "(?:e?s+)?"
_Trie = dict  # letter (or _SEPARATOR) -> sub-trie; None -> group name of the term ending here


def _term_units(term: str, *, collapse: bool) -> list[str]:
    """A folded term as letters and word separators; `collapse` folds runs ("arroz" → a, r, o, z)."""
    units: list[str] = []
    for position, word in enumerate(term_normalize(term).split(" ")):
        if position:
            units.append(_SEPARATOR)
        units.extend(re.sub(r"(.)\1+", r"\1", word) if collapse else word)
    return units


def _trie_insert(trie: _Trie, units: list[str], group: str) -> None:
    for unit in units:
        trie = trie.setdefault(unit, {})
    trie[None] = group


def _trie_pattern(trie: _Trie, *, repeat: str) -> str:
    """One regex branch per distinct next letter, so a failed match costs one test per word.

    A Python regex with a flat alternation of every term tries each term at each
    word start; sharing prefixes makes the cost depend on the text, not the dictionary.
    """
    branches = []
    for unit in sorted(key for key in trie if key is not None):
        atom = _PLURAL + r"[\s_]+" if unit == _SEPARATOR else re.escape(unit) + repeat
        branches.append(atom + _trie_pattern(trie[unit], repeat=repeat))
    if None in trie:
        # An empty named group marks which term ended here; it must end a word.
        branches.append(rf"{_PLURAL}\b(?P<{trie[None]}>)")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _dictionary_regex(terms: list[DictionaryTerm], *, tolerant: bool) -> re.Pattern[str] | None:
    trie: _Trie = {}
    for index, term in enumerate(terms):
        units = _term_units(term.text, collapse=tolerant)
        _trie_insert(trie, units, f"t{index}")
        if _SEPARATOR in units:
            # "#MamaLuchona" folds to "mamaluchona": the phrase written as one word.
            _trie_insert(trie, [u for u in units if u != _SEPARATOR], f"j{index}")
    if not trie:
        return None
    first_letters = "".join(sorted(re.escape(key) for key in trie if key))
    # \b then a look at the first letter rejects most positions before the trie is tried.
    return re.compile(rf"\b(?=[{first_letters}])" + _trie_pattern(trie, repeat="+" if tolerant else ""))


# Emphasis ("puuuto", "nacooo") almost always repeats a vowel; only texts with a
# doubled vowel pay for the slower, repetition-tolerant expression.
_VOWEL_RUNS = ("aa", "ee", "ii", "oo", "uu")


@dataclass(frozen=True, slots=True)
class DictionaryTerm:
    text: str
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TermMatch:
    term: str
    categories: tuple[str, ...]
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {"term": self.term, "categories": list(self.categories), "start": self.start, "end": self.end}


@dataclass(slots=True)
class MatchResult:
    matches: list[TermMatch] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return sorted({m.term for m in self.matches})

    @property
    def categories(self) -> list[str]:
        return sorted({c for m in self.matches for c in m.categories})


class Matcher:
    """A compiled dictionary. Build once per run with `matcher_build`, then call `match`."""

    def __init__(self, terms: Iterable[DictionaryTerm]):
        self._terms = [t for t in terms if term_normalize(t.text)]
        self._exact = _dictionary_regex(self._terms, tolerant=False)
        self._tolerant = _dictionary_regex(self._terms, tolerant=True)

    @property
    def size(self) -> int:
        return len(self._terms)

    def match(self, text: str) -> MatchResult:
        result = MatchResult()
        if self._exact is None or self._tolerant is None or not text:
            return result
        folded = text_fold(text)
        # Spelled out rather than any(...) over _VOWEL_RUNS: a post passes here 20,000 times a second.
        tolerant = "aa" in folded or "ee" in folded or "ii" in folded or "oo" in folded or "uu" in folded
        regex = self._tolerant if tolerant else self._exact
        for found in regex.finditer(folded):
            term = self._terms[int((found.lastgroup or "t0")[1:])]
            result.matches.append(TermMatch(term.text, term.categories, found.start(), found.end()))
        return result
