"""A newly activated model catches up on the history: it scores what it has not scored, recounts what it has, and
the other versions' rollups go."""
from __future__ import annotations

from datetime import timedelta

import pytest

from classifier.models import ModelVersion
from dashboard.models import HourlyCount, RollupHistory
from pipeline.services.history import rollups_history_catch_up
from pipeline.services.scoring import tweets_score
from tests.dashboard.builders import recount, stored
from tests.factories import ModelVersionFactory


def activate(version: ModelVersion) -> None:
    ModelVersion.objects.filter(task=version.task, status=ModelVersion.Status.ACTIVE).update(status=ModelVersion.Status.RETIRED)
    ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersion.Status.ACTIVE)


@pytest.mark.django_db
def test_a_new_model_scores_the_history_and_the_old_rollups_go(trained_model, demo_run_load):
    trained = trained_model
    demo_run_load(60, spread=timedelta(days=3))
    tweets_score()
    newer = ModelVersionFactory.create(
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
def test_a_catch_up_stops_at_its_limit_and_resumes(trained_model, demo_run_load):
    demo_run_load(60, spread=timedelta(days=3))
    assert rollups_history_catch_up(limit=40).complete is False
    result = rollups_history_catch_up(limit=40)
    assert (result.scored, result.complete) == (20, True)
    assert stored(trained_model) == recount(trained_model)
