"""Scoring: every post of a run gets one prediction per model version, and scoring again changes nothing."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from classifier.models import LabeledText, Prediction
from classifier.selectors import serving
from classifier.services.training import TrainParams, model_version_train
from ingestion.models import Tweet
from ingestion.services.demo import demo_backlog_load, demo_source_get_or_create
from ingestion.services.downloads import source_download
from ingestion.sources.replay import demo_corpus
from pipeline.services.scoring import tweets_score

SMALL = TrainParams(c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, min_positives=10)


@pytest.fixture(autouse=True)
def refresh_at_once(monkeypatch):
    monkeypatch.setattr(serving, "REFRESH_SECONDS", 0.0)


@pytest.fixture
def trained(dictionary, archive_dir):
    """A model learned from the demo corpus's own judgements (the corpus says which posts discriminate)."""
    for item in demo_corpus():
        labels = (["discriminatory"] if item["discriminatory"] else []) + item["categories"]
        LabeledText.objects.create(task="discrimination", text=item["text"], labels=labels, source="test", external_id=item["id"])
    return model_version_train(task="discrimination", params=SMALL)


@pytest.fixture
def demo_run(db, archive_dir):
    source, _ = demo_source_get_or_create()
    return demo_backlog_load(source=source, count=60, spread=timedelta(days=2))


@pytest.mark.django_db
def test_no_active_model_scores_nothing(demo_run):
    assert tweets_score(run_id=demo_run.pk).scored == 0
    with pytest.raises(CommandError, match="No hay un modelo activo"):
        call_command("score", stdout=StringIO())


@pytest.mark.django_db
def test_each_post_of_a_run_gets_one_prediction_and_rescoring_changes_nothing(trained, demo_run):
    summary = tweets_score(run_id=demo_run.pk, batch_size=25)
    assert (summary.scored, summary.version) == (60, 1)
    predictions = Prediction.objects.filter(model_version=trained)
    assert predictions.count() == 60
    labels = set(trained.metrics["labels"])
    threshold = trained_threshold(trained)
    for prediction in predictions:
        assert set(prediction.scores) == labels
        # scores are stored rounded to 4 places; the decision used the exact value
        assert prediction.discriminatory == (prediction.scores["discriminatory"] >= round(threshold, 4)) or (
            abs(prediction.scores["discriminatory"] - threshold) < 1e-4
        )
        assert set(prediction.categories) <= labels - {"discriminatory"}
    before = list(predictions.order_by("pk").values_list("pk", "scores"))

    assert tweets_score(run_id=demo_run.pk).scored == 0
    assert list(predictions.order_by("pk").values_list("pk", "scores")) == before


@pytest.mark.django_db
def test_a_limit_scores_the_oldest_unscored_posts_first(trained, demo_run):
    ids = list(Tweet.objects.filter(run=demo_run).order_by("pk").values_list("pk", flat=True))
    assert tweets_score(limit=25, batch_size=10).scored == 25
    assert tweets_score(limit=25, batch_size=10).scored == 25
    scored = sorted(Prediction.objects.values_list("tweet_id", flat=True))
    assert scored == ids[:50]
    assert tweets_score().scored == 10


@pytest.mark.django_db
def test_score_command_since_a_date(trained, demo_run):
    out = StringIO()
    call_command("score", since="2000-01-01", stdout=out)
    assert "60 publicaciones puntuadas con la versión v1" in out.getvalue()
    with pytest.raises(CommandError, match="Fecha no válida"):
        call_command("score", since="ayer", stdout=StringIO())


@pytest.mark.django_db
def test_scoring_task_after_a_download(trained, demo_run, settings):
    from pipeline.tasks import run_score_task

    source, _ = demo_source_get_or_create()
    run = source_download(source_id=source.pk).run
    assert run_score_task(run.pk) == 25  # only that run's posts
    assert Prediction.objects.count() == 25


def trained_threshold(version) -> float:
    from classifier.services.registry import artifact_load

    return artifact_load(path=version.artifact_path, sha256=version.artifact_sha256)["thresholds"]["discriminatory"]
