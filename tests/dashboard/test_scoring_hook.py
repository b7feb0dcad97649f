"""The scoring step keeps the rollups current, and a newly activated model catches up on the history."""
from __future__ import annotations

from datetime import timedelta

import pytest

from classifier.models import LabeledText, ModelVersion
from classifier.selectors import serving
from classifier.services.training import TrainParams, model_version_train
from pipeline.tasks import run_score_task
from dashboard.models import HourlyCount, RollupHistory
from ingestion.services.demo import demo_backlog_load, demo_source_get_or_create
from ingestion.sources.replay import demo_corpus
from pipeline.services.history import rollups_history_catch_up
from pipeline.services.scoring import tweets_score

from .conftest import recount, stored

SMALL = TrainParams(c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, min_positives=10)


@pytest.fixture(autouse=True)
def fresh_models(monkeypatch):
    monkeypatch.setattr(serving, "REFRESH_SECONDS", 0.0)
    serving.models_forget()
    yield
    serving.models_forget()


@pytest.fixture
def trained(dictionary, archive_dir) -> ModelVersion:
    """A model learned from the demo corpus's own judgements."""
    for item in demo_corpus():
        labels = (["discriminatory"] if item["discriminatory"] else []) + item["categories"]
        LabeledText.objects.create(task="discrimination", text=item["text"], labels=labels, source="test", external_id=item["id"])
    return model_version_train(task="discrimination", params=SMALL)


def demo_run(count: int):
    source, _ = demo_source_get_or_create()
    return demo_backlog_load(source=source, count=count, spread=timedelta(days=3))


def activate(version: ModelVersion) -> None:
    ModelVersion.objects.filter(task=version.task, status=ModelVersion.Status.ACTIVE).update(status=ModelVersion.Status.RETIRED)
    ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersion.Status.ACTIVE)


@pytest.mark.django_db
def test_scoring_keeps_the_rollups_equal_to_a_recount(trained):
    run = demo_run(60)
    assert tweets_score(run_id=run.pk, batch_size=25).scored == 60
    counted = stored(trained)
    assert counted == recount(trained)
    assert counted[0][("", 0, "*", min(key[3] for key in counted[0]))][0] > 0
    assert any(key[0] for key in counted[0]), "the demo posts' hashtags are counted too"
    assert tweets_score(run_id=run.pk).scored == 0
    assert stored(trained) == counted

    second = demo_run(30)  # the replay continues where the first load stopped
    assert run_score_task(second.pk) == 30
    assert stored(trained) == recount(trained)


@pytest.mark.django_db
def test_a_new_model_scores_the_history_and_the_old_rollups_go(trained):
    demo_run(60)
    tweets_score()
    newer = ModelVersion.objects.create(
        task=trained.task, version=2, artifact_path=trained.artifact_path, artifact_sha256=trained.artifact_sha256,
    )
    activate(newer)
    result = rollups_history_catch_up()
    assert (result.version, result.recounted, result.scored, result.complete) == (2, 0, 60, True)
    assert stored(newer) == recount(newer)
    assert not HourlyCount.objects.filter(model_version=trained).exists()
    assert RollupHistory.objects.get(model_version=newer).claimed_until is None
    assert rollups_history_catch_up().scored == 0  # complete: nothing to do

    # Back to the first version: it has scored everything, but its rollups were pruned: recounted.
    activate(trained)
    result = rollups_history_catch_up()
    assert (result.recounted, result.scored, result.complete) == (60, 0, True)
    assert stored(trained) == recount(trained)


@pytest.mark.django_db
def test_a_catch_up_stops_at_its_limit_and_resumes(trained):
    demo_run(60)
    assert rollups_history_catch_up(limit=40).complete is False
    result = rollups_history_catch_up(limit=40)
    assert (result.scored, result.complete) == (20, True)
    assert stored(trained) == recount(trained)
