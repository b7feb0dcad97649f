"""Word vectors: trained on every ingested post, versioned in storage, used as features; the search's comparisons."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from classifier.artifacts import ArtifactRefused
from classifier.services.embeddings import EmbeddingParams, embeddings_train, vectors_load
from tests.factories import LabeledTextFactory, TweetFactory

SMALL = EmbeddingParams(dimensions=16, min_count=1, epochs=2, workers=1)
POSTS = [
    "las mujeres no deberían manejar",
    "los migrantes llegan a la frontera norte",
    "qué calor hace hoy en Monterrey",
    "ese naco no sabe ni hablar",
]


@pytest.fixture
def posts(db):
    return [TweetFactory(text=f"{text} {n}") for n in range(30) for text in POSTS]


@pytest.mark.django_db
def test_vectors_learn_from_every_post_and_training_rows_but_not_held_out_ones(posts, archive_dir):
    LabeledTextFactory.create(task="discrimination", text="palabraentrenamiento y más", source="s", external_id="1")
    LabeledTextFactory.create(task="discrimination", text="palabraevaluacion oculta", source="s", external_id="2", split="dev")
    LabeledTextFactory.create(task="movie-genres", text="a lonely cowboy rides west", source="m", external_id="3")

    version = embeddings_train(language="es", params=SMALL)

    assert (version.language, version.version, version.dimensions) == ("es", 1, 16)
    assert version.texts == len(posts) + 1  # the posts and the one Spanish training row
    stored = vectors_load(version)
    words = set(stored["words"].tolist())
    assert {"mujeres", "migrantes", "monterrey", "naco", "palabraentrenamiento"} <= words
    assert "palabraevaluacion" not in words and "cowboy" not in words
    assert stored["vectors"].shape == (len(words), 16) and stored["vectors"].dtype == np.float32
    data = (archive_dir / version.artifact_path).read_bytes()
    assert version.artifact_path == "embeddings/es/v1.npz" and hashlib.sha256(data).hexdigest() == version.artifact_sha256


@pytest.mark.django_db
def test_vectors_round_trip_through_s3_storage(posts, s3_archive):
    client, bucket = s3_archive
    version = embeddings_train(language="es", params=SMALL)
    stored = client.get_object(Bucket=bucket, Key=version.artifact_path)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == version.artifact_sha256
    assert vectors_load(version)["vectors"].shape[0] == version.vocabulary_size


@pytest.mark.django_db
def test_tampered_vectors_are_refused(posts, archive_dir):
    version = embeddings_train(language="es", params=SMALL)
    second = embeddings_train(language="es", params=SMALL)
    assert second.version == 2
    (archive_dir / version.artifact_path).write_bytes((archive_dir / second.artifact_path).read_bytes() + b"x")
    with pytest.raises(ArtifactRefused, match="suma de verificación"):
        vectors_load(version)
