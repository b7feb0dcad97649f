"""The features a task model's classifiers read, from normalised texts.

Word 1–2-gram and character 2–5-gram TF-IDF (`features_build`), then, when the
model has word vectors, their weighted mean (`classifier.engine.vectors`).
Training and the long scoring path compute them here; the fast path
(`classifier.engine.explain`) reproduces them without scikit-learn.
"""
from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from classifier.engine.text import TextConfig, text_normalize, text_tokenize, tokens_with_context
from classifier.engine.vectors import EmbeddingBlock, embedding_features


def features_build(*, max_features: int = 200_000) -> FeatureUnion:
    """Word 1–2-grams and character 2–5-grams, TF-IDF with sublinear term frequency."""
    words = TfidfVectorizer(
        token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
        max_features=max_features,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", lowercase=False, ngram_range=(2, 5), min_df=2, sublinear_tf=True,
        max_features=max_features,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def texts_normalize(
    texts: Sequence[str], *, config: TextConfig, contexts: Sequence[Sequence[str]] | None = None
) -> list[str]:
    """The texts normalised with `config`; with `contexts` (per text, its context tokens), each text's
    context tokens follow its own (`classifier.engine.text.tokens_with_context`)."""
    if contexts is None:
        return [text_normalize(text, config=config) for text in texts]
    return [
        " ".join(tokens_with_context(text_tokenize(text, config=config), context))
        for text, context in zip(texts, contexts, strict=True)
    ]


def features_transform(
    normalized: list[str], *, vectorizer: FeatureUnion, embedding: EmbeddingBlock | None
) -> sparse.csr_matrix:
    """The feature matrix of normalised texts: the TF-IDF blocks, then the word-vector columns if any."""
    blocks = [tfidf_transform(block, normalized) for _, block in vectorizer.transformer_list]
    features = sparse.hstack(blocks, format="csr")
    if embedding is not None:
        features = sparse.hstack([features, embedding_features(embedding, normalized)], format="csr")
    return features


def tfidf_width(vectorizer: FeatureUnion) -> int:
    """How many TF-IDF columns come before the embedding block."""
    return sum(len(block.vocabulary_) for _, block in vectorizer.transformer_list)


def features_scale(features: sparse.csr_matrix, scaling: np.ndarray | None) -> sparse.csr_matrix:
    """Multiply each column by its naive-Bayes ratio (NB-LR); unchanged without one."""
    return features if scaling is None else (features @ sparse.diags(scaling)).tocsr()


class _WordNgrams:
    def __init__(self, vectorizer: TfidfVectorizer):
        self.analyzer = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.words: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def get(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        grams = self.words.get(word)
        if grams is None:
            vocabulary = self.vocabulary
            found = Counter(vocabulary[g] for g in self.analyzer(word) if g in vocabulary)
            order = sorted(found)
            grams = self.words[word] = (np.array(order, dtype=np.int32), np.array([found[i] for i in order], dtype=np.float64))
        return grams


# Per fitted character vectoriser: word -> (its n-gram columns, their counts). Bounded.
_word_ngrams: weakref.WeakKeyDictionary[TfidfVectorizer, _WordNgrams] = weakref.WeakKeyDictionary()
_WORD_CACHE_LIMIT = 500_000


def tfidf_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)`, faster for word-bounded character n-grams.

    A `char_wb` vectoriser counts the n-grams of each word separately, so a
    text's counts are the sum of its words' counts. Each distinct word's
    n-grams are computed once per process and kept, and a batch becomes two
    sparse products. The result equals `vectorizer.transform` (a test checks it).
    """
    if vectorizer.analyzer != "char_wb":
        return vectorizer.transform(texts)
    cache = _word_ngrams.get(vectorizer)
    if cache is None or len(cache.words) > _WORD_CACHE_LIMIT:
        cache = _word_ngrams[vectorizer] = _WordNgrams(vectorizer)
    columns: dict[str, int] = {}
    rows, cols = [], []
    for row, text in enumerate(texts):
        for word in text.split():
            rows.append(row)
            cols.append(columns.setdefault(word, len(columns)))
    words = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(columns)))
    indptr, indices, data = [0], [], []
    for word in columns:
        grams = cache.get(word)
        indices.append(grams[0])
        data.append(grams[1])
        indptr.append(indptr[-1] + len(grams[0]))
    width = len(vectorizer.vocabulary_)
    ngrams = sparse.csr_matrix(
        (np.concatenate(data or [np.zeros(0)]), np.concatenate(indices or [np.zeros(0, np.int32)]), indptr),
        shape=(len(columns), width),
    )
    counts = (words @ ngrams).tocsr()
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_[counts.indices]
    return normalize(counts, norm=vectorizer.norm, copy=False) if vectorizer.norm else counts
