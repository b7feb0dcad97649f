"""Training end to end on small real subsets: evaluation, registry, promotion, resampling, word vectors, the demo
model."""
from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from classifier.artifacts import artifact_load
from classifier.engine.features import texts_normalize
from classifier.engine.fitting import resampled_rows
from classifier.engine.scoring import label_probability, model_features, model_scores
from classifier.models import LabeledText, ModelVersion
from classifier.selectors import serving
from classifier.services.embeddings import EmbeddingParams, embeddings_train
from classifier.services.training import (
    DEMO_SOURCE,
    TrainParams,
    demo_model_ensure,
    model_version_train,
    training_data_load,
)
from tests.factories import LabeledTextFactory
from tests.shared_data import SHARED, csv_head, labeled_import, needs_shared

QUICK = TrainParams(c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3)


@needs_shared
@pytest.mark.django_db
def test_movie_genres_train_one_model_per_genre_with_enough_examples(tmp_path, archive_dir):
    labeled_import(csv_head(SHARED / "movies" / "dataTraining.csv", tmp_path / "dataTraining.csv", 500), "movies")
    version = model_version_train(task="movie-genres", params=QUICK)

    assert version.status == ModelVersion.Status.ACTIVE
    metrics = version.metrics
    assert (metrics["training_rows"], metrics["held_out_rows"]) == (400, 100)
    assert {"Drama", "Comedy"} <= set(metrics["labels"])
    assert metrics["skipped_labels"]["News"] < 30 and "News" not in metrics["labels"]
    assert metrics["macro_roc_auc"] > 0.6  # far from perfect on 400 plots, but it learned something
    drama = metrics["labels"]["Drama"]
    assert sum(sum(row) for row in drama["confusion"]) == 100
    assert 0 <= drama["calibration_error"] <= 1


@needs_shared
@pytest.mark.django_db
def test_discrimination_is_evaluated_on_the_dev_split(hateval):
    version = model_version_train(task="discrimination", params=QUICK)
    metrics = version.metrics
    assert metrics["held_out_rows"] == 200  # exactly the HatEval dev rows
    assert "discriminatory" in metrics["labels"]
    # HatEval names no category: one learnt here learnt only from the dictionary's terms in the texts.
    categories = set(metrics["labels"]) - {"discriminatory"}
    assert all(set(metrics["signals"][name]) == {"lexicon"} for name in categories)
    assert set(metrics["signals"]["discriminatory"]) == {"import:hateval2019"}
    assert metrics["labels"]["discriminatory"]["roc_auc"] > 0.65
    assert metrics["rows_per_source"] == {"import:hateval2019": 1000}


@needs_shared
@pytest.mark.django_db
def test_a_worse_model_stays_a_candidate_and_the_active_one_keeps_serving(hateval):
    # Only `discriminatory` learns here (no category from the dictionary's terms), so scrambling its labels
    # is what makes the second model worse.
    only_labels = dataclasses.replace(QUICK, category_weak=False)
    first = model_version_train(task="discrimination", params=only_labels)
    rng = random.Random(7)
    for row in LabeledText.objects.exclude(split="dev"):  # scramble the training labels only
        row.labels = ["discriminatory"] if rng.random() < 0.5 else []
        row.save(update_fields=["labels"])
    second = model_version_train(task="discrimination", params=only_labels)

    assert second.status == ModelVersion.Status.CANDIDATE
    assert second.metrics["active_version"] == first.version
    assert "es peor que el" in second.reason
    assert serving.model_active_get(task="discrimination").version.pk == first.pk


@needs_shared
@pytest.mark.django_db
def test_monthly_retraining_records_a_failure_and_keeps_the_active_model(hateval):
    import dataclasses

    from classifier.services.training import tasks_retrain
    from pipeline.schedule import schedules_sync

    first = model_version_train(task="discrimination", params=QUICK)
    # A month where no label reaches the minimum: that training fails.
    outcome = tasks_retrain(params=dataclasses.replace(QUICK, min_positives=10_000))
    # The word vectors are rebuilt first; then the training fails.
    # The toxicity task learns from the same corpora (`classifier.toxicity`): it is retrained, and fails, too.
    assert outcome == {"embeddings:es": "v1", "discrimination": "v2 failed", "toxicity": "v1 failed"}
    failed = ModelVersion.objects.get(task="discrimination", version=2)
    assert failed.status == ModelVersion.Status.FAILED
    assert "ninguna etiqueta de discrimination tiene 10000 ejemplos positivos" in failed.reason
    assert ModelVersion.objects.get(task="discrimination", status="active").pk == first.pk

    from django_celery_beat.models import PeriodicTask

    schedules_sync()
    monthly = PeriodicTask.objects.get(task="classifier.tasks.tasks_retrain")
    assert (monthly.crontab.minute, monthly.crontab.hour, monthly.crontab.day_of_month) == ("0", "3", "1")


def test_resampling_draws_positives_up_to_the_ratio():
    y = np.array([1] * 10 + [0] * 90)
    rows = resampled_rows(y, ratio=1.0, seed=1)
    assert (y[rows] == 1).sum() == 90 and (y[rows] == 0).sum() == 90
    assert set(rows[y[rows] == 0]) == set(range(10, 100))  # every negative once
    assert len(resampled_rows(np.array([1, 1, 0]), ratio=1.0, seed=1)) == 3  # already balanced: unchanged


@needs_shared
@pytest.mark.django_db
def test_a_model_uses_the_latest_vectors_and_the_search_compares_resampling_with_weights(
    hateval_head, dictionary, archive_dir
):
    hateval_head(700)
    vectors = embeddings_train(language="es", params=EmbeddingParams(dimensions=16, epochs=2, workers=1))

    params = TrainParams(c_grid=(1.0,), cv_folds=3, finalists=2)
    version = model_version_train(task="discrimination", params=params)

    assert version.metrics["embedding_version"] == vectors.version
    model = artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)
    assert model.embedding.vectors.shape[1] == 16
    # Scoring all labels at once equals each label on its own columns (with or without the vectors).
    sample = ["Que se larguen todos los inmigrantes", "Buenos días, qué bonito día", "las mujeres no saben"]
    features = model_features(model, texts_normalize(sample, config=model.text))
    np.testing.assert_allclose(
        model_scores(model, sample)["discriminatory"], label_probability(model, "discriminatory", features), rtol=1e-10
    )
    # Every combination of scaling and imbalance treatment was scored on the first fold,
    # and the two best of them again with the word vectors.
    compared = version.params["per_label"]["discriminatory"]["first_fold_roc_auc"]
    assert {f"{s}/{b}/1.0/False" for s in ("plain", "nb") for b in ("class_weight", "resample", "none")} <= set(compared)
    assert len([key for key in compared if key.endswith("/True")]) == 2 and len(compared) == 8
    assert sum(version.metrics["chosen"]["balancing"].values()) == len(model.labels)
    assert sum(version.metrics["chosen"]["embeddings"].values()) == len(model.labels)
    scores = model_scores(model, ["Que se larguen todos los inmigrantes", "Buenos días, qué bonito día"])["discriminatory"]
    assert ((scores > 0) & (scores < 1)).all()
    # Calibrated on out-of-fold decisions: the held-out probabilities are not far from the observed rates.
    assert version.metrics["labels"]["discriminatory"]["calibration_error"] < 0.15


@pytest.mark.django_db
def test_no_demo_model_over_real_labels_and_demo_rows_never_train_with_them(dictionary, archive_dir):
    LabeledTextFactory.create(task="discrimination", text="real", labels=[], source="annotators", external_id="1")
    assert demo_model_ensure() is None
    assert not LabeledText.objects.filter(source=DEMO_SOURCE).exists()
    LabeledTextFactory.create(task="discrimination", text="real dev", labels=[], source="annotators", external_id="2", split="dev")
    LabeledTextFactory.create(task="discrimination", text="sintético", labels=[], source=DEMO_SOURCE, external_id="d1")
    data = training_data_load(task="discrimination", params=TrainParams())
    assert data.texts == ["real", "real dev"]
