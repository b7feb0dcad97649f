"""Training end to end on small real subsets: evaluation, registry, promotion, commands."""
from __future__ import annotations

import csv
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from classifier.models import LabeledText, ModelVersion
from classifier.selectors import serving
from classifier.services.training import TrainParams, model_version_train

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="the shared reference data is not next to the checkout")
QUICK = TrainParams(c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3)


def import_head(source: Path, target: Path, rows: int, fmt: str) -> None:
    with source.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))[: rows + 1]
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    call_command("import_labeled", str(target), format=fmt, no_progress=True, stdout=StringIO())


@pytest.fixture
def hateval(tmp_path, dictionary, archive_dir):
    import_head(SHARED / "hateval2019_es" / "hateval2019_es_train.csv", tmp_path / "hateval_train.csv", 800, "hateval")
    import_head(SHARED / "hateval2019_es" / "hateval2019_es_dev.csv", tmp_path / "hateval_dev.csv", 200, "hateval")


@pytest.mark.django_db
def test_movie_genres_train_one_model_per_genre_with_enough_examples(tmp_path, archive_dir):
    import_head(SHARED / "movies" / "dataTraining.csv", tmp_path / "dataTraining.csv", 500, "movies")
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


@pytest.mark.django_db
def test_discrimination_is_evaluated_on_the_dev_split(hateval):
    version = model_version_train(task="discrimination", params=QUICK)
    metrics = version.metrics
    assert metrics["held_out_rows"] == 200  # exactly the HatEval dev rows
    assert list(metrics["labels"]) == ["discriminatory"]
    assert metrics["skipped_labels"]["genero"] == 0  # no category was invented from HatEval
    assert metrics["labels"]["discriminatory"]["roc_auc"] > 0.65
    assert metrics["rows_per_source"] == {"import:hateval2019": 1000}


@pytest.mark.django_db
def test_a_worse_model_stays_a_candidate_and_the_active_one_keeps_serving(hateval):
    first = model_version_train(task="discrimination", params=QUICK)
    rng = random.Random(7)
    for row in LabeledText.objects.exclude(split="dev"):  # scramble the training labels only
        row.labels = ["discriminatory"] if rng.random() < 0.5 else []
        row.save(update_fields=["labels"])
    second = model_version_train(task="discrimination", params=QUICK)

    assert second.status == ModelVersion.Status.CANDIDATE
    assert second.metrics["active_version"] == first.version
    assert "es peor que el" in second.reason
    assert serving.model_active_get(task="discrimination").version.pk == first.pk


@pytest.mark.django_db
def test_classify_and_evaluate_commands(hateval):
    with pytest.raises(CommandError, match="No hay un modelo activo"):
        call_command("classify", "hola", stdout=StringIO())
    model_version_train(task="discrimination", params=QUICK)

    out = StringIO()
    call_command("classify", "Que se larguen todos los inmigrantes, qué naco", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "discrimination v1"
    assert lines[1].split()[0] == "discriminatory" and 0.0 <= float(lines[1].split()[1]) <= 1.0
    assert "términos del diccionario: naco" in out.getvalue()

    out = StringIO()
    call_command("evaluate", task="discrimination", stdout=out)
    assert "discrimination v1: activa" in out.getvalue()
    assert "sin entrenar por falta de ejemplos" in out.getvalue()


@pytest.mark.django_db
def test_training_without_data_says_so():
    with pytest.raises(CommandError, match="no hay textos etiquetados"):
        call_command("train", task="discrimination", stdout=StringIO())


@pytest.mark.django_db
def test_monthly_retraining_records_a_failure_and_keeps_the_active_model(hateval):
    import dataclasses

    from classifier.services.training import tasks_retrain
    from pipeline.schedule import schedules_sync

    first = model_version_train(task="discrimination", params=QUICK)
    # A month where no label reaches the minimum: that training fails.
    outcome = tasks_retrain(params=dataclasses.replace(QUICK, min_positives=10_000))
    # The word vectors are rebuilt first; then the training fails.
    assert outcome == {"embeddings:es": "v1", "discrimination": "v2 failed"}
    failed = ModelVersion.objects.get(task="discrimination", version=2)
    assert failed.status == ModelVersion.Status.FAILED
    assert "ninguna etiqueta de discrimination tiene 10000 ejemplos positivos" in failed.reason
    assert ModelVersion.objects.get(task="discrimination", status="active").pk == first.pk

    from django_celery_beat.models import PeriodicTask

    schedules_sync()
    monthly = PeriodicTask.objects.get(task="classifier.tasks.tasks_retrain")
    assert (monthly.crontab.minute, monthly.crontab.hour, monthly.crontab.day_of_month) == ("0", "3", "1")
