"""Scoring: every post of a run gets one prediction per model version, scoring again changes nothing, and the
rollups stay equal to a recount."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from classifier.artifacts import artifact_load
from classifier.models import Prediction
from ingestion.models import Tweet
from pipeline.services.scoring import tweets_score
from pipeline.tasks import run_score_task
from tests.dashboard.builders import recount, stored


def trained_threshold(version) -> float:
    return artifact_load(path=version.artifact_path, sha256=version.artifact_sha256).thresholds["discriminatory"]


@pytest.mark.django_db
def test_no_active_model_scores_nothing(demo_run):
    assert tweets_score(run_id=demo_run.pk).scored == 0
    with pytest.raises(CommandError, match="No hay un modelo activo"):
        call_command("score", stdout=StringIO())


@pytest.mark.django_db
def test_each_post_of_a_run_gets_one_prediction_and_rescoring_changes_nothing(trained_model, demo_run):
    trained = trained_model
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
def test_a_limit_scores_the_oldest_unscored_posts_first(trained_model, demo_run):
    ids = list(Tweet.objects.filter(run=demo_run).order_by("pk").values_list("pk", flat=True))
    assert tweets_score(limit=25, batch_size=10).scored == 25
    assert tweets_score(limit=25, batch_size=10).scored == 25
    scored = sorted(Prediction.objects.values_list("tweet_id", flat=True))
    assert scored == ids[:50]
    assert tweets_score().scored == 10


@pytest.mark.django_db
def test_scoring_keeps_the_rollups_equal_to_a_recount(trained_model, demo_run_load):
    trained = trained_model
    run = demo_run_load(60, spread=timedelta(days=3))
    assert tweets_score(run_id=run.pk, batch_size=25).scored == 60
    counted = stored(trained)
    assert counted == recount(trained)
    assert counted[0][("", 0, "*", min(key[3] for key in counted[0]))][0] > 0
    assert any(key[0] for key in counted[0]), "the demo posts' hashtags are counted too"
    assert tweets_score(run_id=run.pk).scored == 0
    assert stored(trained) == counted

    second = demo_run_load(30, spread=timedelta(days=3))  # the replay continues where the first load stopped
    assert run_score_task(second.pk) == 30
    assert stored(trained) == recount(trained)
