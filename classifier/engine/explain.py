"""Scoring a task model fast, and saying which words pushed a label's decision.

A label's decision value is linear in the features, so it splits exactly into
one contribution per word of the (normalised) text plus the intercept:

* a word unigram belongs to its word; a word bigram is split half and half
  between its two words;
* a character n-gram (`char_wb`, counted inside words) is split among the words
  that hold it, in proportion to how many times each holds it;
* the embedding block is a TF-IDF-weighted mean of word vectors, scaled to unit
  length and by the block's weight; the mean is linear in the vectors and the
  scaling is one number per text, so each word gets its share of the mean.

The same computation scores. What a word brings (its unigram column, its
n-gram columns and counts, its vector) is worked out once per model and kept in
a word store, so a batch becomes entries (text, column, count, word) gathered
with a few NumPy operations and no scikit-learn call. One sort of the entries
adds up what a column gets from several words of a text; TF-IDF and the L2
norms then follow `TfidfVectorizer.transform` operation for operation, so the
features are scikit-learn's to the last bit (a test checks it), and the decision
values are added up in scipy's order. The Platt calibrators are applied as the
sigmoid they are. This skips scikit-learn's per-call validation, which cost more
than the arithmetic for one text or a hundred.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, pairwise, repeat
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from classifier.engine.model import TaskModel
from classifier.engine.vectors import EmbeddingBlock
from classifier.engine.word_store import WORD_CACHE_LIMIT, WordStore

Explanation = list[tuple[str, float]]

# Texts per vectorised pass. A pass's arrays then stay in the CPU caches: on batches of 2,000
# tweets, passes of 128 cost 25% less per text than passes of 512.
CHUNK_TEXTS = 128
# Bits of an int64 the packed sort may use (see `Scorer._sorted`).
PACKED_BITS = 63


_NONE = np.zeros(0, np.int64)


@dataclass(frozen=True, slots=True)
class _Embedding:
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear: bool
    vectors: np.ndarray  # unit word vectors (float32, as stored)
    weight: float
    weights: np.ndarray  # the labels' coefficients for the block's columns (dimensions x labels)
    projections: np.ndarray  # vectors @ weights: each word's push on each label at full share


@dataclass(slots=True)
class _Layout:
    """A chunk of texts as its distinct (text, word) pairs, and the feature entries the pairs add."""

    texts: int
    words: list[str]  # the word store's words: `pair_words` index it
    pair_words: np.ndarray  # per pair: its word
    first: np.ndarray  # per pair: where the word first occurs among the chunk's tokens
    rows: np.ndarray  # per pair: its text
    counts: np.ndarray  # per pair: how many times the word occurs in the text
    embedding: np.ndarray  # per pair: the word's embedding row or -1
    sizes: np.ndarray  # per pair: how many entries its word's unigram and n-grams add
    columns: np.ndarray  # per such entry: its TF-IDF column
    halves: np.ndarray  # per such entry: twice the count it adds
    bigrams: np.ndarray  # per bigram occurrence: its column
    firsts: np.ndarray  # per bigram occurrence: the pair of its first word
    seconds: np.ndarray  # per bigram occurrence: the pair of its second word


@dataclass(slots=True)
class _Features:
    """A chunk's TF-IDF features, one per (text, column), sorted; `values` are scikit-learn's."""

    rows: np.ndarray
    columns: np.ndarray
    counts: np.ndarray
    values: np.ndarray
    sizes: np.ndarray  # how many of the sorted entries each feature has
    halves: np.ndarray  # sorted entries: twice the count each adds
    pairs: np.ndarray | None  # sorted entries: their pair (only to explain)


def _idf(vectorizer: TfidfVectorizer) -> np.ndarray:
    return vectorizer.idf_ if vectorizer.use_idf else np.ones(len(vectorizer.vocabulary_))


def _plain(vectorizer: Any, analyzer: str) -> bool:
    """A TF-IDF vectoriser this module reproduces: no preprocessing, counts, L2 norm."""
    return (
        isinstance(vectorizer, TfidfVectorizer) and vectorizer.analyzer == analyzer and vectorizer.input == "content"
        and not vectorizer.lowercase and vectorizer.preprocessor is None and vectorizer.tokenizer is None
        and vectorizer.stop_words is None and vectorizer.strip_accents is None and not vectorizer.binary
        and vectorizer.norm == "l2" and vectorizer.dtype == np.float64
    )


def scorer_supported(model: TaskModel) -> bool:
    """Whether the model's features are the ones `classifier.engine.features.features_build` makes."""
    blocks = [vectorizer for _, vectorizer in model.vectorizer.transformer_list]
    if len(blocks) != 2 or not (_plain(blocks[0], "word") and _plain(blocks[1], "char_wb")):
        return False
    words, chars = blocks
    vectors = None if model.embedding is None else model.embedding.vectorizer
    return (
        words.token_pattern == r"\S+" and 1 <= words.ngram_range[0] <= words.ngram_range[1] <= 2
        and words.sublinear_tf == chars.sublinear_tf
        and (vectors is None or (
            _plain(vectors, "word") and vectors.ngram_range == (1, 1) and vectors.token_pattern == r"\S+"
        ))
        and all(type(c) is LogisticRegression and c.coef_.shape == (1, 1) for c in model.calibrators.values())
    )


class Scorer:
    """A task model compiled for scoring and explaining; built once per model (`classifier.engine.scoring`).

    `weights` are every label's coefficients (features x labels, naive-Bayes scaling folded in) and
    `intercepts` theirs. It keeps what it reads from the model, never the model itself."""

    def __init__(self, model: TaskModel, weights: np.ndarray, intercepts: np.ndarray) -> None:
        words, chars = (vectorizer for _, vectorizer in model.vectorizer.transformer_list)
        self.labels: list[str] = list(model.labels)
        self.word_vocabulary: dict[str, int] = words.vocabulary_
        self.unigrams = words.ngram_range[0] == 1
        self.bigrams = words.ngram_range[1] == 2
        # Keyed by the two words: looking up a tuple from `zip` saves joining a string per token.
        self.bigram_vocabulary: dict[tuple[str, ...], int] = {
            tuple(term.split(" ")): column for term, column in words.vocabulary_.items() if " " in term
        }
        self.char_vocabulary: dict[str, int] = chars.vocabulary_
        self.char_analyzer = chars.build_analyzer()
        self.word_width = len(words.vocabulary_)
        self.width = self.word_width + len(chars.vocabulary_)
        self.idf = np.concatenate([_idf(words), _idf(chars)])
        self.sublinear = bool(words.sublinear_tf)
        self.weights = [np.ascontiguousarray(weights[: self.width, i]) for i in range(len(self.labels))]
        self.intercepts = intercepts
        self.slopes = np.array([model.calibrators[label].coef_[0, 0] for label in self.labels])
        self.offsets = np.array([model.calibrators[label].intercept_[0] for label in self.labels])
        # When no label reads the word vectors (the search kept them nowhere), they would only add zeros.
        block = model.embedding
        self.embedding = None if block is None or not weights[self.width:].any() else self._embedding_compile(block, weights)
        self.store = WordStore()

    def _embedding_compile(self, block: EmbeddingBlock, weights: np.ndarray) -> _Embedding:
        vectorizer = block.vectorizer
        block_weights = np.ascontiguousarray(weights[self.width:])
        return _Embedding(
            vocabulary=vectorizer.vocabulary_, idf=_idf(vectorizer), sublinear=bool(vectorizer.sublinear_tf),
            vectors=block.vectors, weight=float(block.weight), weights=block_weights,
            projections=block.vectors.astype(np.float64) @ block_weights,
        )

    def _describe(self, word: str) -> tuple[list[int], list[int], int]:
        """The word's TF-IDF columns and counts, and its embedding row (char_wb n-grams come from the word alone)."""
        vocabulary = self.char_vocabulary
        grams = Counter(self.word_width + vocabulary[g] for g in self.char_analyzer(word) if g in vocabulary)
        columns = sorted(grams)
        counts = [grams[column] for column in columns]
        unigram = self.word_vocabulary.get(word) if self.unigrams else None
        if unigram is not None:
            columns.insert(0, unigram)
            counts.insert(0, 1)
        return columns, counts, -1 if self.embedding is None else self.embedding.vocabulary.get(word, -1)

    def _words(self) -> WordStore:
        if len(self.store.words) >= WORD_CACHE_LIMIT:
            self.store = WordStore()  # start again rather than grow without bound
        return self.store

    def _layout(self, token_lists: Sequence[list[str]]) -> _Layout:
        """Distinct words per text, and the entries their unigrams, n-grams and bigrams add.

        Python touches each token a few times, in C-level loops (`map`, `zip`); the rest
        is NumPy over the whole chunk."""
        lengths = np.fromiter(map(len, token_lists), np.int64, len(token_lists))
        tokens = list(chain.from_iterable(token_lists))
        store = self._words()
        numbers = store.numbers(tokens, self._describe)
        size = max(len(store.words), 1)
        keys = np.arange(len(token_lists)).repeat(lengths) * size + numbers
        keys, first, token_pair, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
        rows, pair_words = np.divmod(keys, size)
        # Each pair's slice of the store, gathered for all pairs at once.
        sizes = store.lengths[pair_words]
        ends = sizes.cumsum()
        index = _ranges(store.starts[pair_words], sizes)
        layout = _Layout(
            texts=len(token_lists), words=store.words, pair_words=pair_words, first=first, rows=rows, counts=counts,
            embedding=store.embedding[pair_words], sizes=sizes, columns=store.columns[index],
            halves=store.halves[index], bigrams=_NONE, firsts=_NONE, seconds=_NONE,
        )
        repeated = (counts > 1).nonzero()[0]  # few pairs: a word used twice in a text adds its n-grams twice
        if len(repeated):
            added = sizes[repeated]
            layout.halves[_ranges(ends[repeated] - added, added)] *= counts[repeated].repeat(added)
        if self.bigrams and len(tokens) > 1:
            self._bigrams_find(layout, tokens, token_pair, (lengths.cumsum() - 1)[lengths > 0])
        return layout

    def _bigrams_find(self, layout: _Layout, tokens: list[str], token_pair: np.ndarray, lasts: np.ndarray) -> None:
        """The bigrams in the vocabulary (`lasts`: where each text with tokens ends among the chunk's tokens)."""
        found = np.fromiter(map(self.bigram_vocabulary.get, zip(tokens, tokens[1:], strict=False), repeat(-1)),
                            np.int64, len(tokens) - 1)
        found[lasts[lasts < len(found)]] = -1  # a text's last token and the next text's first make no bigram
        starts = (found >= 0).nonzero()[0]
        layout.bigrams, layout.firsts, layout.seconds = found[starts], token_pair[starts], token_pair[starts + 1]

    def _sorted(self, layout: _Layout, *, explain: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Every entry's key (text x width + column), half-count and (to explain) pair, sorted by key.
        A bigram adds two entries, half an occurrence to each of its words.

        When key, pair and half-count fit in an int64 together, one sort of the packed
        integers does it: several times faster than an argsort and the gathers after it."""
        bases, pair_count = layout.rows * self.width, len(layout.rows)
        half_bits = int(layout.halves.max(initial=1)).bit_length()
        pair_bits = max(pair_count - 1, 1).bit_length()
        shift = pair_bits + half_bits
        if (max(layout.texts * self.width - 1, 1)).bit_length() + shift > PACKED_BITS:
            return self._sorted_slowly(layout, bases)
        words, bigrams = len(layout.columns), len(layout.bigrams)
        packed = np.empty(words + 2 * bigrams, np.int64)
        unigrams_and_ngrams = packed[:words]
        np.left_shift(layout.columns, shift, out=unigrams_and_ngrams, dtype=np.int64)
        unigrams_and_ngrams += ((bases << shift) | (np.arange(pair_count) << half_bits)).repeat(layout.sizes)
        unigrams_and_ngrams += layout.halves
        heads = (bases[layout.firsts] + layout.bigrams) << shift | 1  # a bigram adds 1 half to each word
        np.bitwise_or(heads, layout.firsts << half_bits, out=packed[words:words + bigrams])
        np.bitwise_or(heads, layout.seconds << half_bits, out=packed[words + bigrams:])
        packed.sort()
        pairs = (packed >> half_bits) & ((1 << pair_bits) - 1) if explain else None
        return packed >> shift, packed & ((1 << half_bits) - 1), pairs

    def _sorted_slowly(self, layout: _Layout, bases: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        bigrams = bases[layout.firsts] + layout.bigrams
        keys = np.concatenate([bases.repeat(layout.sizes) + layout.columns, bigrams, bigrams])
        halves = np.concatenate([layout.halves, np.ones(2 * len(bigrams), np.int64)])
        pairs = np.concatenate([np.arange(len(layout.rows)).repeat(layout.sizes), layout.firsts, layout.seconds])
        order = keys.argsort(kind="stable")
        return keys[order], halves[order], pairs[order]

    def _features(self, layout: _Layout, *, explain: bool = False) -> _Features:
        """Counts added up per (text, column), then TF-IDF and each block's L2 norm as scikit-learn does them."""
        keys, halves, pairs = self._sorted(layout, explain=explain)
        starts = _run_starts(keys)
        lasts = np.empty_like(starts)
        lasts[:-1], lasts[-1:] = starts[1:] - 1, len(keys) - 1
        # Sums of runs as differences of a running sum: exact in integers, and faster than reduceat.
        totals = halves.cumsum()[lasts]
        totals[1:] -= totals[:-1].copy()
        counts = totals * 0.5
        rows = keys[starts] // self.width
        columns = keys[starts] - rows * self.width
        # Sorted by column within a text, so the squares add up in scikit-learn's order.
        values = np.log(counts) + 1.0 if self.sublinear else counts.copy()
        values *= self.idf[columns]
        blocks = rows * 2 + (columns >= self.word_width)
        norms = np.sqrt(np.bincount(blocks, weights=values * values, minlength=2 * layout.texts))
        norms[norms == 0] = 1.0
        values /= norms[blocks]
        return _Features(rows=rows, columns=columns, counts=counts, values=values, sizes=lasts - starts + 1,
                         halves=halves, pairs=pairs)

    def _embedding_features(self, layout: _Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The block's columns per text; the pairs with a vector and each one's share of its text's columns."""
        block = self.embedding
        assert block is not None
        features = np.zeros((layout.texts, block.vectors.shape[1]))
        pairs = (layout.embedding >= 0).nonzero()[0]
        if not len(pairs):
            return features, pairs, np.zeros(0)
        index, rows = layout.embedding[pairs], layout.rows[pairs]
        counts = layout.counts[pairs].astype(np.float64)
        values = np.log(counts) + 1.0 if block.sublinear else counts
        values *= block.idf[index]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=layout.texts))
        norms[norms == 0] = 1.0
        values /= norms[rows]
        firsts = _run_starts(rows)
        scaled = block.vectors[index].astype(np.float64)  # as scikit-learn's product with float32 vectors does
        scaled *= values[:, None]
        features[rows[firsts]] = np.add.reduceat(scaled, firsts, axis=0)
        lengths = np.linalg.norm(features, axis=1)
        lengths[lengths == 0] = 1.0
        features = block.weight * features / lengths[:, None]
        return features, pairs, block.weight * values / lengths[rows]

    def _chunk(
        self, token_lists: Sequence[list[str]], explained: Sequence[int], top: int
    ) -> tuple[np.ndarray, list[list[Explanation]]]:
        """Decisions of a chunk of texts and, per label in `explained`, each text's top words."""
        layout = self._layout(token_lists)
        features = self._features(layout, explain=bool(explained))
        pushes = [features.values * weights.take(features.columns) for weights in self.weights]  # per label
        # bincount adds up in order, feature after feature, as scipy's sparse product does: the same bits.
        decisions = np.zeros((layout.texts, len(self.labels)))
        for i, push in enumerate(pushes):
            decisions[:, i] = _sums(features.rows, push, layout.texts)
        embedded_pairs, shares = _NONE, np.zeros(0)
        if self.embedding is not None:
            embedded, embedded_pairs, shares = self._embedding_features(layout)
            decisions += embedded @ self.embedding.weights
        decisions += self.intercepts
        explanations = []
        for label in explained:
            # A feature's contribution, per unit of count, goes to the words in proportion to what they added.
            assert features.pairs is not None
            per_half = 0.5 * pushes[label] / features.counts
            added = features.halves * per_half.repeat(features.sizes)
            contributions = _sums(features.pairs, added, len(layout.rows))
            if self.embedding is not None:
                contributions[embedded_pairs] += shares * self.embedding.projections[layout.embedding[embedded_pairs], label]
            explanations.append(_top_words(layout, contributions, top))
        return decisions, explanations

    def _label_index(self, label: str) -> int:
        if label not in self.labels:
            raise ValueError(f"the model has no label {label!r}; it has {', '.join(self.labels)}")
        return self.labels.index(label)

    def score(
        self, token_lists: Sequence[list[str]], *, label: str | None = None, top: int = 8
    ) -> tuple[np.ndarray, list[Explanation]]:
        """Decision values (texts x labels, intercepts included) of tokenised texts
        (`classifier.engine.text.text_tokenize`), and per text the words that pushed `label` most:
        (word, contribution), largest |contribution| first."""
        if label is None:
            return self.score_labels(token_lists, labels=[], top=top)[0], [[] for _ in token_lists]
        decisions, explained = self.score_labels(token_lists, labels=[label], top=top)
        return decisions, explained[label]

    def score_labels(
        self, token_lists: Sequence[list[str]], *, labels: Sequence[str], top: int = 8
    ) -> tuple[np.ndarray, dict[str, list[Explanation]]]:
        """`score` explaining several labels in one pass: per label, per text, its top words."""
        indices = [self._label_index(label) for label in labels]
        parts = [np.zeros((0, len(self.labels)))]
        explanations: dict[str, list[Explanation]] = {label: [] for label in labels}
        for start in range(0, len(token_lists), CHUNK_TEXTS):
            decisions, explained = self._chunk(token_lists[start:start + CHUNK_TEXTS], indices, top)
            parts.append(decisions)
            for label, words in zip(labels, explained, strict=True):
                explanations[label] += words
        return np.concatenate(parts), explanations

    def probabilities(self, decisions: np.ndarray) -> np.ndarray:
        """Labels x texts: each Platt calibrator's `predict_proba(decision)[:, 1]`, which is
        `expit(decision * coef + intercept)` for a binary logistic regression, all labels at once."""
        return expit(decisions.T * self.slopes[:, None] + self.offsets[:, None])

    def features(self, token_lists: Sequence[list[str]]) -> sparse.csr_matrix:
        """The feature matrix of tokenised texts as this module computes it, to check it against scikit-learn
        (without the word-vector columns when no label reads them)."""
        layout = self._layout(token_lists)
        features = self._features(layout)
        shape = (layout.texts, self.width)
        matrix = sparse.csr_matrix((features.values, (features.rows, features.columns)), shape=shape)
        if self.embedding is None:
            return matrix
        return sparse.hstack([matrix, self._embedding_features(layout)[0]], format="csr")


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, ..., start + size - 1 of every range, one after the other."""
    ends = sizes.cumsum()
    return np.arange(int(ends[-1]) if len(ends) else 0) + (starts - ends + sizes).repeat(sizes)


def _sums(index: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """`weights` added up by `index`, in order (float even when empty, unlike a bare bincount)."""
    return np.bincount(index, weights=weights, minlength=size).astype(np.float64, copy=False)


def _run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in a sorted, non-empty array."""
    starts = np.empty(len(sorted_values), bool)
    starts[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=starts[1:])
    return starts.nonzero()[0]


def _top_words(layout: _Layout, contributions: np.ndarray, top: int) -> list[Explanation]:
    """Per text, its `top` words by |contribution|, ties in order of first occurrence; zeros left out.

    Each text's pairs go in a row of a table (padded with +inf), in order of first
    occurrence, so one stable row-wise argsort ranks every text at once."""
    order = layout.first.argsort()  # by text, then by first occurrence
    rows = layout.rows[order]
    starts = rows.searchsorted(np.arange(layout.texts + 1))
    positions = np.arange(len(order)) - starts[rows]
    table = np.full((layout.texts, int(positions.max(initial=0)) + 1), np.inf)
    table[rows, positions] = -np.abs(contributions[order])
    chosen = table.argsort(axis=1, kind="stable")[:, :max(top, 0)]
    kept = np.take_along_axis(table, chosen, axis=1) < 0  # zeros and padding are not
    pairs = order[(starts[:-1, None] + chosen)[kept]]
    bounds = np.concatenate([[0], kept.sum(axis=1).cumsum()]).tolist()
    words = map(layout.words.__getitem__, layout.pair_words[pairs].tolist())
    items = list(zip(words, contributions[pairs].tolist(), strict=True))
    return [items[start:end] for start, end in pairwise(bounds)]
