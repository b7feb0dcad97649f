"""Word embeddings: gensim word2vec trained on every ingested post, versioned in the configured storage.

The corpus of a language is every ingested post (Spanish) plus the labelled
texts of that language's tasks, except rows held out for evaluation. It is
streamed from the database once, in chunks, into a temporary file of
tokenised lines (`classifier.engine.text.text_tokenize`, the same tokens the
classifiers see), and gensim trains from that file (`corpus_file`), so memory
depends on the vocabulary, not on the number of posts.

The vectors are saved as a NumPy `.npz` (a word array and a float32 matrix,
loaded with `allow_pickle=False`). A model trained afterwards keeps the
vectors of the words its training texts use, and turns a text into the
TF-IDF-weighted mean of its words' unit vectors (`classifier.engine.vectors`).
"""
from __future__ import annotations

import io
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from classifier.artifacts import stored_bytes_load, stored_bytes_save
from classifier.engine.text import Language, TextConfig, text_tokenize
from classifier.engine.vectors import EmbeddingBlock, embedding_block_of
from classifier.label_sets import task_language
from classifier.models import EmbeddingVersion, LabeledText
from classifier.services.registry import numbered_version_create
from ingestion.models import Tweet

logger = logging.getLogger(__name__)


CHUNK_SIZE = 5000


@dataclass(frozen=True)
class EmbeddingParams:
    dimensions: int = 100
    window: int = 5
    min_count: int = 3
    epochs: int = 5
    max_vocabulary: int = 200_000
    skip_gram: bool = True
    workers: int = 2
    seed: int = 42


def corpus_config(language: Language) -> TextConfig:
    # Stopwords stay: word2vec learns from context, and the classifiers keep them too.
    return TextConfig(language=language, remove_stopwords=False)


def corpus_texts(*, language: Language) -> Iterator[str]:
    """Every text of the language's corpus, read from the database in chunks."""
    if language == "es":
        yield from Tweet.objects.order_by().values_list("text", flat=True).iterator(chunk_size=CHUNK_SIZE)
    tasks = [t for t in LabeledText.objects.values_list("task", flat=True).distinct() if task_language(task=t) == language]
    labelled = LabeledText.objects.filter(task__in=tasks).exclude(split="dev").order_by()
    yield from labelled.values_list("text", flat=True).iterator(chunk_size=CHUNK_SIZE)


def corpus_write(*, language: Language, handle: io.TextIOBase, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Write the tokenised corpus, one text per line; return (texts, tokens)."""
    config = corpus_config(language)
    texts = tokens = 0
    for text in corpus_texts(language=language):
        words = text_tokenize(text, config=config)
        if words:
            handle.write(" ".join(words))
            handle.write("\n")
            tokens += len(words)
        texts += 1
        if progress and texts % CHUNK_SIZE == 0:
            progress(texts)
    return texts, tokens


def embeddings_train(
    *, language: Language, params: EmbeddingParams | None = None, progress: Callable[[int], None] | None = None
) -> EmbeddingVersion:
    """Train word2vec on the language's corpus and record it as a new version."""
    from gensim.models import Word2Vec

    params = params or EmbeddingParams()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="embeddings-") as folder:
        corpus = Path(folder) / "corpus.txt"
        with corpus.open("w", encoding="utf-8") as handle:
            texts, tokens = corpus_write(language=language, handle=handle, progress=progress)
        if tokens == 0:
            raise ValueError(f"no hay textos en {language} para entrenar vectores de palabras")
        model = Word2Vec(
            corpus_file=str(corpus), vector_size=params.dimensions, window=params.window,
            min_count=params.min_count, epochs=params.epochs, max_final_vocab=params.max_vocabulary,
            sg=int(params.skip_gram), workers=params.workers, seed=params.seed,
        )
    words = np.array(model.wv.index_to_key, dtype=str)
    vectors = model.wv.vectors.astype(np.float32)
    if len(words) == 0:
        raise ValueError(f"ninguna palabra en {language} aparece {params.min_count} veces; el corpus es muy pequeño")
    version = numbered_version_create(model=EmbeddingVersion, scope={"language": language}, fields={
        "texts": texts, "tokens": tokens, "vocabulary_size": len(words), "dimensions": params.dimensions,
        "params": asdict(params), "seconds": round(time.monotonic() - started, 1),
    })
    buffer = io.BytesIO()
    np.savez_compressed(buffer, words=words, vectors=vectors)
    version.artifact_path, version.artifact_sha256 = stored_bytes_save(
        path=f"embeddings/{language}/v{version.version}.npz", data=buffer.getvalue()
    )
    version.save(update_fields=["artifact_path", "artifact_sha256"])
    logger.info("embeddings %s v%s: %s texts, %s words", language, version.version, texts, len(words))
    return version


def embedding_latest(*, language: str) -> EmbeddingVersion | None:
    return EmbeddingVersion.objects.filter(language=language).exclude(artifact_path="").first()


def vectors_load(version: EmbeddingVersion) -> dict[str, np.ndarray]:
    """The version's words and vectors, checked against the recorded checksum."""
    data = stored_bytes_load(path=version.artifact_path, sha256=version.artifact_sha256)
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        return {"words": stored["words"], "vectors": stored["vectors"]}


def embedding_block_build(*, version: EmbeddingVersion, normalized_texts: list[str], weight: float) -> EmbeddingBlock:
    """The embedding part of a task model, from a stored version of word vectors."""
    stored = vectors_load(version)
    return embedding_block_of(
        words=stored["words"], vectors=stored["vectors"], version=version.version, normalized_texts=normalized_texts,
        weight=weight,
    )
