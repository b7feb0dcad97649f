"""Word vectors as features: the TF-IDF-weighted mean of a text's unit word vectors (pure NumPy/SciPy).

A task model keeps the vectors of the words its training texts use, with a
TF-IDF vectoriser over those words whose weights make the mean
(`EmbeddingBlock`); its columns come after the TF-IDF ones. Which word vectors
a model starts from (a stored version trained with gensim) is the Django
side's business (`classifier.services.embeddings`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass(eq=False)
class EmbeddingBlock:
    """The word-vector part of a task model."""

    version: int  # the stored word vectors it was cut from
    vectorizer: TfidfVectorizer  # over the kept words: the weights of the mean
    vectors: np.ndarray  # one unit vector per kept word (float32), in the vectoriser's column order
    weight: float  # the length of a text's embedding columns (each TF-IDF block has length 1)


def embedding_features(block: EmbeddingBlock, normalized_texts: list[str]) -> sparse.csr_matrix:
    """Each text as the TF-IDF-weighted mean of its words' unit vectors, scaled to the block's weight."""
    means = block.vectorizer.transform(normalized_texts) @ block.vectors
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(block.weight * means / norms)


def embedding_block_of(
    *, words: np.ndarray, vectors: np.ndarray, version: int, normalized_texts: list[str], weight: float
) -> EmbeddingBlock:
    """The vectors of the words the training texts use, a TF-IDF vectoriser over those words
    (for the weights of the mean), and the block's weight."""
    index = {str(word): i for i, word in enumerate(words)}
    dimensions = vectors.shape[1]
    used = sorted({w for text in normalized_texts for w in text.split() if w in index})
    chosen = vectors[[index[w] for w in used]] if used else np.zeros((0, dimensions), np.float32)
    norms = np.linalg.norm(chosen, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True, vocabulary=used or ["_"])
    vectorizer.fit(normalized_texts)
    if not used:
        chosen, norms = np.zeros((1, dimensions), np.float32), np.ones((1, 1), np.float32)
    return EmbeddingBlock(version=version, vectorizer=vectorizer, vectors=chosen / norms, weight=weight)
