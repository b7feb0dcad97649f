"""Word vectors as features: the TF-IDF-weighted mean of a text's unit word vectors (pure NumPy/SciPy)."""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse


def embedding_features(block: dict[str, Any], normalized_texts: list[str]) -> sparse.csr_matrix:
    """Each text as the TF-IDF-weighted mean of its words' unit vectors, scaled to the block's weight."""
    means = block["vectorizer"].transform(normalized_texts) @ block["vectors"]
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(block["weight"] * means / norms)
