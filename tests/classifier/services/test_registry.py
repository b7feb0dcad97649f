"""The model registry: skops artifacts in S3-compatible storage, promotion rules."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from classifier.artifacts import ArtifactRefused, artifact_dumps, artifact_load, artifact_loads
from classifier.models import ModelVersion
from classifier.services.registry import model_version_promote, model_version_register
from tests.classifier.toy import TEXTS, trained


class NotAllowed:
    """A type that is not on the artifact allow-list."""


@pytest.mark.django_db
def test_artifact_round_trip_through_s3_storage(s3_archive):
    client, bucket = s3_archive
    model = trained()
    version = model_version_register(task="discrimination", model=model, metrics={"macro_f1": 0.8}, params={"C": 1.0})

    assert version.artifact_path == "models/discrimination/v1.skops"
    stored = client.get_object(Bucket=bucket, Key=version.artifact_path)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == version.artifact_sha256
    loaded = artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_an_artifact_with_a_foreign_type_is_refused():
    with pytest.raises(ArtifactRefused, match="NotAllowed"):
        artifact_loads(artifact_dumps({"model": trained(), "payload": NotAllowed()}))


@pytest.mark.django_db
def test_a_tampered_artifact_is_refused(archive_dir):
    version = model_version_register(task="t", model=trained(), metrics={}, params={})
    (archive_dir / version.artifact_path).write_bytes(artifact_dumps(trained(c=0.01)))
    with pytest.raises(ArtifactRefused, match="suma de verificación"):
        artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)


@pytest.mark.django_db
def test_first_version_is_promoted(archive_dir):
    first = model_version_register(task="t", model=trained(), metrics={"macro_f1": 0.7}, params={})
    assert model_version_promote(candidate=first).status == ModelVersion.Status.ACTIVE


@pytest.mark.django_db
def test_promotion_accepted_when_not_worse_on_the_same_held_out_data(archive_dir):
    first = model_version_promote(
        candidate=model_version_register(task="t", model=trained(), metrics={"macro_f1": 0.7}, params={})
    )
    second = model_version_register(
        task="t", model=trained(), params={},
        metrics={"macro_f1": 0.795, "active_version": 1, "active_macro_f1": 0.80},  # within the 0.01 tolerance
    )
    assert model_version_promote(candidate=second).status == ModelVersion.Status.ACTIVE
    first.refresh_from_db()
    assert first.status == ModelVersion.Status.RETIRED
    assert "Reemplaza a v1" in second.reason
    assert ModelVersion.objects.filter(task="t", status="active").count() == 1


@pytest.mark.django_db
def test_promotion_refused_when_worse_or_not_compared(archive_dir):
    model_version_promote(
        candidate=model_version_register(task="t", model=trained(), metrics={"macro_f1": 0.8}, params={})
    )
    worse = model_version_register(
        task="t", model=trained(), params={}, metrics={"macro_f1": 0.70, "active_version": 1, "active_macro_f1": 0.80}
    )
    worse = model_version_promote(candidate=worse)
    assert worse.status == ModelVersion.Status.CANDIDATE
    assert "0.700 es peor que el 0.800 de la versión activa v1" in worse.reason

    unmeasured = model_version_promote(
        candidate=model_version_register(task="t", model=trained(), metrics={"macro_f1": 0.99}, params={})
    )
    assert unmeasured.status == ModelVersion.Status.CANDIDATE
    assert "No se evaluó contra la versión activa v1" in unmeasured.reason
    assert ModelVersion.objects.get(task="t", status="active").version == 1
