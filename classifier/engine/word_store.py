"""What each word brings to a task model's features, worked out once per model and kept.

`classifier.engine.explain.Scorer` scores a batch by gathering its words' entries from
here: a word's TF-IDF columns (its unigram, then its character n-grams) with
its counts of each, and its embedding row, back to back in flat arrays.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from itertools import chain, repeat

import numpy as np

# Distinct words whose features are kept per model; the store starts again past it.
WORD_CACHE_LIMIT = 500_000


class WordStore:
    """Every word met so far: its TF-IDF columns (its unigram, then its character n-grams, ascending)
    and how many times it holds each, back to back in flat arrays, and its embedding row.

    A chunk fetches all its words' entries with a few NumPy gathers; with one small array
    per word, concatenating them cost more than all the arithmetic after it. Words are
    only ever appended, under a lock, and published in `index` last, so a thread scoring
    at the same time never sees a word whose entries are not written yet."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.words: list[str] = []
        self.starts = np.zeros(1024, np.int64)
        self.lengths = np.zeros(1024, np.int64)
        self.embedding = np.zeros(1024, np.int64)
        # int32: a vocabulary holds fewer than 2**31 terms, and a word its n-grams fewer times.
        self.columns = np.zeros(1 << 16, np.int32)
        self.halves = np.zeros(1 << 16, np.int32)  # twice the counts: the unit a bigram's half occurrence needs
        self.used = 0
        self.lock = threading.Lock()

    def numbers(self, tokens: list[str], describe: Callable[[str], tuple[list[int], list[int], int]]) -> np.ndarray:
        """Each token's word number; words not met before are described and added."""
        numbers = np.fromiter(map(self.index.get, tokens, repeat(-1)), np.int64, len(tokens))
        missing = (numbers < 0).nonzero()[0].tolist()
        if missing:
            unseen = [tokens[i] for i in missing]
            with self.lock:
                self._add([word for word in dict.fromkeys(unseen) if word not in self.index], describe)
            numbers[missing] = list(map(self.index.__getitem__, unseen))
        return numbers

    def _add(self, words: list[str], describe: Callable[[str], tuple[list[int], list[int], int]]) -> None:
        described = list(map(describe, words))
        lengths = np.array([len(columns) for columns, _, _ in described], np.int64)
        first, count, used, total = len(self.words), len(words), self.used, int(lengths.sum())
        self.columns = _grown(self.columns, used + total)
        self.halves = _grown(self.halves, used + total)
        self.columns[used:used + total] = list(chain.from_iterable(columns for columns, _, _ in described))
        self.halves[used:used + total] = [2 * n for n in chain.from_iterable(counts for _, counts, _ in described)]
        self.starts, self.lengths, self.embedding = (
            _grown(array, first + count) for array in (self.starts, self.lengths, self.embedding)
        )
        self.starts[first:first + count] = used + lengths.cumsum() - lengths
        self.lengths[first:first + count] = lengths
        self.embedding[first:first + count] = [row for _, _, row in described]
        self.used = used + total
        self.words.extend(words)
        self.index.update(zip(words, range(first, first + count), strict=True))


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    """The array itself if it holds `size` items, else a copy at least twice as long."""
    if size <= len(array):
        return array
    grown = np.zeros(max(size, 2 * len(array)), array.dtype)
    grown[: len(array)] = array
    return grown
