"""The pipeline's Celery tasks: thin adapters that take ids."""
from __future__ import annotations

import pytest

from classifier.models import Prediction
from ingestion.services.demo import demo_source_get_or_create
from ingestion.services.downloads import source_download
from pipeline.tasks import run_score_task


@pytest.mark.django_db
def test_scoring_task_after_a_download(trained_model, demo_run, settings):
    source, _ = demo_source_get_or_create()
    run = source_download(source_id=source.pk).run
    assert run_score_task(run.pk) == 25  # only that run's posts
    assert Prediction.objects.count() == 25
