"""Artifacts load only the types the engine writes, and only with their recorded SHA-256."""
from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pytest
import skops.io as sio

from classifier.artifacts import (
    TRUSTED_TYPES,
    ArtifactRefused,
    artifact_dumps,
    artifact_load,
    artifact_loads,
    artifact_save,
    stored_bytes_save,
)
from classifier.engine.features import texts_normalize
from classifier.engine.fitting import BALANCINGS, SCALINGS, SearchParams, task_model_fit
from classifier.engine.model import TaskModel
from classifier.engine.scoring import model_scores
from classifier.engine.text import TextConfig
from classifier.engine.vectors import embedding_block_of

CONFIG = TextConfig(language="es", remove_stopwords=False)
TEXTS = [
    "Las mujeres al volante son un peligro", "Que regresen a su país esos migrantes",
    "Qué bonito día en Guadalajara", "ese naco no sabe ni hablar jajaja", "#NoEsNormal que nos insulten",
    "La vieja loca del tercer piso otra vez", "Los chairos y los fifís se pelean por todo", "hoy llueve en Monterrey",
] * 4
Y = np.array([[1, 0], [1, 1], [0, 0], [1, 0], [0, 0], [1, 1], [0, 1], [0, 0]] * 4)


def model_trained(*, scaling: str, balancing: str, embedding: bool) -> TaskModel:
    """A two-label model trained by the engine with one scaling and balancing, with or without word vectors."""
    normalized = texts_normalize(TEXTS, config=CONFIG)
    block = None
    if embedding:
        words = np.array(sorted({w for text in normalized for w in text.split()}))
        vectors = np.random.default_rng(0).normal(size=(len(words), 8)).astype(np.float32)
        block = embedding_block_of(words=words, vectors=vectors, version=1, normalized_texts=normalized, weight=0.5)
    params = SearchParams(c_grid=(1.0,), scalings=(scaling,), balancings=(balancing,), cv_folds=2, finalists=1)
    model, _ = task_model_fit(
        task="discrimination", labels=["discriminatory", "gender"], text=CONFIG, normalized=normalized, y=Y,
        weights=np.ones(len(TEXTS)), embedding=block, params=params,
    )
    return model


@pytest.mark.parametrize(("scaling", "balancing", "embedding"), list(itertools.product(SCALINGS, BALANCINGS, (False, True))))
def test_every_model_the_engine_trains_holds_only_trusted_types_and_loads(scaling, balancing, embedding):
    model = model_trained(scaling=scaling, balancing=balancing, embedding=embedding)
    data = artifact_dumps(model)
    assert set(sio.get_untrusted_types(data=data)) <= TRUSTED_TYPES
    loaded = artifact_loads(data)
    np.testing.assert_array_equal(model_scores(loaded, TEXTS)["gender"], model_scores(model, TEXTS)["gender"])


@pytest.mark.parametrize("extra", [eval, np.load], ids=["builtins.eval", "numpy.load"])
def test_a_crafted_artifact_with_an_extra_type_is_refused(extra):
    model = model_trained(scaling="plain", balancing="none", embedding=False)
    crafted = sio.dumps({"model": artifact_loads(artifact_dumps(model)), "hook": extra})
    with pytest.raises(ArtifactRefused, match="tipos no permitidos"):
        artifact_loads(crafted)


def test_an_artifact_without_a_recorded_checksum_is_refused(archive_dir):
    path, _ = stored_bytes_save(path="models/discrimination/v1.skops", data=artifact_dumps({"a": 1}))
    with pytest.raises(ArtifactRefused, match="no tiene suma de verificación"):
        artifact_load(path=path, sha256="")


def test_an_artifact_whose_checksum_does_not_match_is_refused(archive_dir):
    data = artifact_dumps({"a": 1})
    path, _ = stored_bytes_save(path="models/discrimination/v1.skops", data=data)
    with pytest.raises(ArtifactRefused, match="no coincide"):
        artifact_load(path=path, sha256=hashlib.sha256(data + b"x").hexdigest())


def test_a_real_model_saved_by_the_registry_path_loads_with_its_checksum(archive_dir):
    model = model_trained(scaling="nb", balancing="class_weight", embedding=True)
    path, sha256 = artifact_save(task="discrimination", version=1, obj=model)
    loaded = artifact_load(path=path, sha256=sha256)
    assert isinstance(loaded, TaskModel) and loaded.labels == ["discriminatory", "gender"]
    np.testing.assert_array_equal(model_scores(loaded, TEXTS)["discriminatory"], model_scores(model, TEXTS)["discriminatory"])
