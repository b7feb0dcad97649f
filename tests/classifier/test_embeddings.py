"""Word vectors: trained on every ingested post, versioned in storage, used as features; the search's comparisons."""
from __future__ import annotations

import csv
import hashlib
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from classifier.engine.model import model_scores
from classifier.models import EmbeddingVersion, LabeledText
from classifier.services.embeddings import EmbeddingParams, embeddings_train, vectors_load
from classifier.services.registry import ArtifactRefused, artifact_load
from classifier.services.training import TrainParams, model_version_train, resampled_rows
from tests.factories import TweetFactory

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
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
    LabeledText.objects.create(task="discrimination", text="palabraentrenamiento y más", source="s", external_id="1")
    LabeledText.objects.create(task="discrimination", text="palabraevaluacion oculta", source="s", external_id="2", split="dev")
    LabeledText.objects.create(task="movie-genres", text="a lonely cowboy rides west", source="m", external_id="3")

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


@pytest.mark.django_db
def test_command_trains_vectors_and_says_so_when_there_is_no_corpus(archive_dir):
    with pytest.raises(CommandError, match="no hay textos en es"):
        call_command("train_embeddings", no_progress=True, stdout=StringIO())
    assert not EmbeddingVersion.objects.exists()
    for n in range(20):
        TweetFactory(text=f"hola mundo de las redes {n}")
    out = StringIO()
    call_command("train_embeddings", "--min-count", "1", "--dimensions", "8", no_progress=True, stdout=out)
    assert "Vectores es v1:" in out.getvalue() and "de 20 textos" in out.getvalue()


def test_resampling_draws_positives_up_to_the_ratio():
    y = np.array([1] * 10 + [0] * 90)
    rows = resampled_rows(y, ratio=1.0, seed=1)
    assert (y[rows] == 1).sum() == 90 and (y[rows] == 0).sum() == 90
    assert set(rows[y[rows] == 0]) == set(range(10, 100))  # every negative once
    assert len(resampled_rows(np.array([1, 1, 0]), ratio=1.0, seed=1)) == 3  # already balanced: unchanged


@pytest.mark.skipif(not SHARED.exists(), reason="the shared reference data is not next to the checkout")
@pytest.mark.django_db
def test_a_model_uses_the_latest_vectors_and_the_search_compares_resampling_with_weights(tmp_path, dictionary, archive_dir):
    with (SHARED / "hateval2019_es" / "hateval2019_es_train.csv").open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))[:701]
    with (tmp_path / "train.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    call_command("import_labeled", str(tmp_path / "train.csv"), format="hateval", no_progress=True, stdout=StringIO())
    vectors = embeddings_train(language="es", params=EmbeddingParams(dimensions=16, epochs=2, workers=1))

    params = TrainParams(c_grid=(1.0,), cv_folds=3, finalists=2)
    version = model_version_train(task="discrimination", params=params)

    assert version.metrics["embedding_version"] == vectors.version
    model = artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)
    assert model["embedding"]["vectors"].shape[1] == 16
    # Scoring all labels at once equals each label on its own columns (with or without the vectors).
    from classifier.engine.model import features_transform, label_probability, texts_normalize
    from classifier.engine.text import TextConfig

    sample = ["Que se larguen todos los inmigrantes", "Buenos días, qué bonito día", "las mujeres no saben"]
    features = features_transform(model, texts_normalize(sample, config=TextConfig(**model["text"])))
    np.testing.assert_allclose(
        model_scores(model, sample)["discriminatory"], label_probability(model, "discriminatory", features), rtol=1e-10
    )
    # Every combination of scaling and imbalance treatment was scored on the first fold,
    # and the two best of them again with the word vectors.
    compared = version.params["per_label"]["discriminatory"]["first_fold_roc_auc"]
    assert {f"{s}/{b}/1.0/False" for s in ("plain", "nb") for b in ("class_weight", "resample", "none")} <= set(compared)
    assert len([key for key in compared if key.endswith("/True")]) == 2 and len(compared) == 8
    assert sum(version.metrics["chosen"]["balancing"].values()) == 1
    assert sum(version.metrics["chosen"]["embeddings"].values()) == 1
    scores = model_scores(model, ["Que se larguen todos los inmigrantes", "Buenos días, qué bonito día"])["discriminatory"]
    assert ((scores > 0) & (scores < 1)).all()
    # Calibrated on out-of-fold decisions: the held-out probabilities are not far from the observed rates.
    assert version.metrics["labels"]["discriminatory"]["calibration_error"] < 0.15
