"""The model of a task: features, one binary classifier per label, thresholds; and how it scores.

A trained task model is a plain dict of scikit-learn objects, NumPy arrays and
builtins, so skops can save it and load it without running code:

* `vectorizer`: word 1–2-gram and character 2–5-gram TF-IDF;
* `embedding` (or None): word vectors and the weights that average them
  (`classifier.engine.vectors.embedding_features`), appended to the TF-IDF columns;
* per label, in `classifiers`, `scalings`, `calibrators` and `thresholds`: a
  logistic regression, the optional naive-Bayes log-count ratios that scale its
  features (Wang & Manning's NB-LR), a sigmoid that turns its decision value
  into a calibrated probability, and the probability at which the label is yes.

Texts are normalised (`classifier.engine.text`) with the language and options the
model was trained with. Scoring, and explaining which words pushed a label,
go through `classifier.engine.explain`, which computes the same features as the
scikit-learn vectorisers without their per-call overhead; training reads
`features_transform`.
"""
from __future__ import annotations

import copy
import weakref
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from classifier.engine.explain import Scorer, scorer_supported
from classifier.engine.text import Language, TextConfig, text_normalize, text_tokenize
from classifier.engine.vectors import embedding_features

MODEL_FORMAT = 2


def task_language(*, task: str) -> Language:
    from classifier.label_sets import MOVIE_GENRES

    return "en" if task == MOVIE_GENRES else "es"


def text_config_for(*, task: str, remove_stopwords: bool = False) -> TextConfig:
    """Stopwords stay by default: on HatEval and the movie plots, dropping them lost
    0.02 to 0.03 of F1 and ROC AUC (negations, pronouns and "por", "para", "contra" carry meaning)."""
    return TextConfig(language=task_language(task=task), remove_stopwords=remove_stopwords)


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


def texts_normalize(texts: Sequence[str], *, config: TextConfig) -> list[str]:
    return [text_normalize(text, config=config) for text in texts]


def features_transform(model: dict[str, Any], normalized: list[str]) -> sparse.csr_matrix:
    """The feature matrix a model's classifiers read, from normalised texts."""
    union = model["vectorizer"]
    features = sparse.hstack([tfidf_transform(vectorizer, normalized) for _, vectorizer in union.transformer_list], format="csr")
    if model.get("embedding") is not None:
        features = sparse.hstack([features, embedding_features(model["embedding"], normalized)], format="csr")
    return features


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


# --- Storage form -----------------------------------------------------------------------
# A fitted vectoriser's vocabulary is a dict of up to hundreds of thousands of terms;
# skops writes a dict entry by entry (and a NumPy integer as an array file), which makes
# artifacts huge and slow. Stored, each vocabulary is its terms in column order, one per
# line (a term never holds a newline: texts are split on whitespace before n-grams).

def _vectorizers(model: dict[str, Any]) -> list[tuple[str, TfidfVectorizer]]:
    found = list(model["vectorizer"].transformer_list)
    if model.get("embedding") is not None:
        found.append(("embedding", model["embedding"]["vectorizer"]))
    return found


def model_pack(model: dict[str, Any]) -> dict[str, Any]:
    """The model as it is saved: vocabularies as text, the rest unchanged (the model itself is not modified)."""
    packed = {key: value for key, value in model.items() if not key.startswith("_")}  # "_" keys are caches
    union = copy.copy(model["vectorizer"])
    union.transformer_list = [(name, copy.copy(vectorizer)) for name, vectorizer in union.transformer_list]
    packed["vectorizer"] = union
    if model.get("embedding") is not None:
        packed["embedding"] = {**model["embedding"], "vectorizer": copy.copy(model["embedding"]["vectorizer"])}
    vocabularies = {}
    for name, vectorizer in _vectorizers(packed):
        vocabulary = vectorizer.vocabulary_
        vocabularies[name] = "\n".join(sorted(vocabulary, key=vocabulary.__getitem__))
        del vectorizer.vocabulary_
    packed["vocabularies"] = vocabularies
    return packed


def model_unpack(packed: dict[str, Any]) -> dict[str, Any]:
    """The model ready to score, from its saved form."""
    model = dict(packed)
    vocabularies = model.pop("vocabularies")
    for name, vectorizer in _vectorizers(model):
        terms = vocabularies[name].split("\n") if vocabularies[name] else []
        vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms)}
    return model


def tfidf_width(model: dict[str, Any]) -> int:
    """How many TF-IDF columns come before the embedding block."""
    return sum(len(vectorizer.vocabulary_) for _, vectorizer in model["vectorizer"].transformer_list)


def features_scale(features: sparse.csr_matrix, scaling: np.ndarray | None) -> sparse.csr_matrix:
    """Multiply each column by its naive-Bayes ratio (NB-LR); unchanged without one."""
    return features if scaling is None else (features @ sparse.diags(scaling)).tocsr()


def label_probability(model: dict[str, Any], label: str, features: sparse.csr_matrix) -> np.ndarray:
    """One label's probabilities, the long way (`model_scores` does all labels at once)."""
    classifier = model["classifiers"][label]
    # A label trained without the embedding block reads only the TF-IDF columns, which come first.
    features = features[:, : classifier.coef_.shape[1]]
    decision = classifier.decision_function(features_scale(features, model["scalings"][label]))
    return model["calibrators"][label].predict_proba(decision.reshape(-1, 1))[:, 1]


def _label_weights(model: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Every label's coefficients as one matrix (features x labels), naive-Bayes scaling folded in:
    (X·diag(r))·w = X·(r∘w), so one sparse product scores every label. A label trained
    without the embedding block gets zeros for those columns. Kept in the model dict."""
    cached = model.get("_weights")
    if cached is None:
        columns, intercepts = [], []
        width = tfidf_width(model)
        if model.get("embedding") is not None:
            width += model["embedding"]["vectors"].shape[1]
        for label in model["labels"]:
            coef = model["classifiers"][label].coef_.ravel()
            scaling = model["scalings"][label]
            column = np.zeros(width)
            column[: len(coef)] = coef if scaling is None else coef * scaling
            columns.append(column)
            intercepts.append(float(model["classifiers"][label].intercept_[0]))
        cached = model["_weights"] = (np.column_stack(columns), np.array(intercepts))
    return cached


def _scorer(model: dict[str, Any]) -> Scorer | None:
    """The model compiled for fast scoring and explaining, built once and kept in the model dict;
    None for features `classifier.engine.explain` does not reproduce (they score the long way)."""
    if "_scorer" not in model:
        weights, intercepts = _label_weights(model)
        model["_text_config"] = TextConfig(**model["text"])
        model["_scorer"] = Scorer(model, weights, intercepts) if scorer_supported(model) else None
    return model["_scorer"]


def model_scores(model: dict[str, Any], texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Probability of each label for each text."""
    return model_scores_explained(model, texts, label=None)[0]


def model_scores_explained(
    model: dict[str, Any], texts: Sequence[str], *, label: str | None, top: int = 8
) -> tuple[dict[str, np.ndarray], list[list[tuple[str, float]]]]:
    """`model_scores`, and per text the (up to `top`) words that pushed `label`'s decision value most:
    (word, contribution in log-odds before calibration), largest |contribution| first, positive towards
    the label. All words' contributions plus the intercept add up to the decision value
    (`classifier.engine.explain` says how features are shared among words). Without a label, empty lists."""
    scorer = _scorer(model)
    # The tokens of the normalised text (`text_normalize` joins them with spaces; the scorer wants them split).
    tokens = [text_tokenize(text, config=model["_text_config"]) for text in texts]
    if scorer is None:
        if label is not None:
            raise ValueError("this model's features cannot be explained (they are not features_build's)")
        return _scores_sparse(model, [" ".join(words) for words in tokens]), [[] for _ in texts]
    decisions, explanations = scorer.score(tokens, label=label, top=top)
    probabilities = scorer.probabilities(decisions)
    return dict(zip(model["labels"], probabilities, strict=True)), explanations


def _scores_sparse(model: dict[str, Any], normalized: list[str]) -> dict[str, np.ndarray]:
    """Every label's probabilities through scikit-learn's vectorisers and calibrators."""
    weights, intercepts = _label_weights(model)
    decisions = np.asarray(features_transform(model, normalized) @ weights) + intercepts
    return {
        name: model["calibrators"][name].predict_proba(decisions[:, [i]])[:, 1]
        for i, name in enumerate(model["labels"])
    }


def model_decisions(model: dict[str, Any], scores: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each label's yes/no at its tuned threshold."""
    return {label: values >= model["thresholds"][label] for label, values in scores.items()}
